package io.feitian.common.security;

/** An authenticated caller. */
public record Principal(String name, Role role) {
  /** The caller when authentication is off: everything is allowed. */
  public static final Principal ANONYMOUS_ADMIN = new Principal("anonymous", Role.ADMIN);
}
