package io.feitian.common.security;

import java.util.HashMap;
import java.util.Map;

/**
 * Which role each gRPC method of a server needs. Methods are named in full
 * ("pkg.Service/Method") or by service ("pkg.Service/*"); a method named in
 * full takes precedence over its service, and unnamed methods need the
 * default role. Ownership (whose job, whose service) is checked by the
 * service itself, through {@link Principal#checkRead} and {@link Principal#checkChange}.
 */
public final class MethodPolicy {
  private final Role defaultRole;
  private final Map<String, Role> required;

  private MethodPolicy(Role defaultRole, Map<String, Role> required) {
    this.defaultRole = defaultRole;
    this.required = Map.copyOf(required);
  }

  /** Every method needs {@code role} until told otherwise. */
  public static MethodPolicy requiring(Role role) {
    return new MethodPolicy(role, Map.of());
  }

  /** A policy that also requires {@code role} for the given methods or services. */
  public MethodPolicy with(Role role, String... methods) {
    Map<String, Role> next = new HashMap<>(required);
    for (String m : methods) {
      next.put(m, role);
    }
    return new MethodPolicy(defaultRole, next);
  }

  public Role requiredRole(String fullMethodName) {
    Role exact = required.get(fullMethodName);
    if (exact != null) {
      return exact;
    }
    int slash = fullMethodName.indexOf('/');
    if (slash > 0) {
      Role service = required.get(fullMethodName.substring(0, slash) + "/*");
      if (service != null) {
        return service;
      }
    }
    return defaultRole;
  }
}
