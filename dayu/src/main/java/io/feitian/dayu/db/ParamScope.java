package io.feitian.dayu.db;

/**
 * Where a parameter applies. A node's effective value of a key comes from the
 * narrowest scope that sets it: NODE, then ROLE, then MODULE.
 */
public enum ParamScope {
  /** Every node running the module; the target is empty. */
  MODULE,
  /** The nodes holding a role; the target is the role's name. */
  ROLE,
  /** One node; the target is its host. */
  NODE
}
