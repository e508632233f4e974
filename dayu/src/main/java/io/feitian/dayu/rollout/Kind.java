package io.feitian.dayu.rollout;

/** What a rollout does. */
public enum Kind {
  /** Install modules on the nodes of their roles (nodes running another version are upgraded). */
  DEPLOY,
  /** Move modules to new versions. */
  UPGRADE,
  /** Bring new nodes to the versions the cluster runs. */
  SCALE_OUT,
  /** Drain and remove every module from nodes leaving the cluster. */
  SCALE_IN,
  /** Move modules back to the versions of an earlier revision. */
  ROLLBACK
}
