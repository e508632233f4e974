package io.feitian.common.security;

/** What a caller may do. An admin may do everything a user may. */
public enum Role {
  USER,
  ADMIN;

  public boolean includes(Role required) {
    return this.ordinal() >= required.ordinal();
  }

  public static Role parse(String text) {
    for (Role r : values()) {
      if (r.name().equalsIgnoreCase(text)) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown role '" + text + "' (expected admin or user)");
  }
}
