package io.feitian.common.security;

/**
 * What a caller may do. An admin may do everything a user may, a user
 * everything a reader may. (No method asks for the reader role yet, so a
 * reader's token is refused everywhere.)
 */
public enum Role {
  READER,
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
    throw new IllegalArgumentException("unknown role '" + text + "' (expected admin, user or reader)");
  }
}
