package io.feitian.common.security;

/**
 * What a caller may do. Each role includes the ones before it: a reader may
 * read everything (an operator's or a dashboard's view) and change nothing; a
 * user may also submit applications and change the ones it owns; an admin
 * (operators and the daemons themselves) may do everything.
 */
public enum Role {
  READER,
  USER,
  ADMIN;

  public boolean includes(Role required) {
    return this.ordinal() >= required.ordinal();
  }

  public String label() {
    return name().toLowerCase();
  }

  public static Role parse(String text) {
    for (Role r : values()) {
      if (r.name().equalsIgnoreCase(text)) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown role '" + text + "' (expected reader, user or admin)");
  }
}
