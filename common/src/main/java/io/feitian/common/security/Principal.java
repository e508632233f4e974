package io.feitian.common.security;

import io.grpc.Status;

/** An authenticated caller. */
public record Principal(String name, Role role) {
  /** The caller when authentication is off: everything is allowed. */
  public static final Principal ANONYMOUS_ADMIN = new Principal("anonymous", Role.ADMIN);

  /** Whether this caller may read what {@code owner} owns: its owner, a reader or an admin. */
  public boolean mayRead(String owner) {
    return role != Role.USER || name.equals(owner);
  }

  /** Whether this caller may change what {@code owner} owns: its owner (a user) or an admin. */
  public boolean mayChange(String owner) {
    return role == Role.ADMIN || (role == Role.USER && name.equals(owner));
  }

  /**
   * Refuses with PERMISSION_DENIED unless this caller may read {@code what},
   * which {@code owner} owns.
   */
  public void checkRead(String what, String owner) {
    if (!mayRead(owner)) {
      throw denied("read", what, owner);
    }
  }

  /** Refuses with PERMISSION_DENIED unless this caller may change {@code what}. */
  public void checkChange(String what, String owner) {
    if (!mayChange(owner)) {
      throw denied("change", what, owner);
    }
  }

  private io.grpc.StatusRuntimeException denied(String verb, String what, String owner) {
    return Status.PERMISSION_DENIED.withDescription(name + " (" + role.label() + ") may not " + verb + " " + what
        + ": it belongs to " + owner).asRuntimeException();
  }
}
