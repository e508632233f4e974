package io.feitian.common.security;

import java.util.Set;

/** Which role a gRPC method needs: admin for the listed methods, user for the rest. */
public final class MethodPolicy {
  private final Set<String> adminMethods;

  private MethodPolicy(Set<String> adminMethods) {
    this.adminMethods = Set.copyOf(adminMethods);
  }

  /**
   * @param adminMethods full method names ("pkg.Service/Method") or whole
   *     services ("pkg.Service/*") that need the admin role
   */
  public static MethodPolicy adminFor(Set<String> adminMethods) {
    return new MethodPolicy(adminMethods);
  }

  public Role requiredRole(String fullMethodName) {
    if (adminMethods.contains(fullMethodName)) {
      return Role.ADMIN;
    }
    int slash = fullMethodName.indexOf('/');
    if (slash > 0 && adminMethods.contains(fullMethodName.substring(0, slash) + "/*")) {
      return Role.ADMIN;
    }
    return Role.USER;
  }
}
