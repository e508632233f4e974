package io.feitian.common.grpc;

/** host:port helpers. */
public final class Addresses {
  /** A host name (at most 253 characters in DNS), a colon and a port. */
  public static final int MAX_CHARS = 260;

  private Addresses() {}

  /** Checks host:port syntax and length (at most {@link #MAX_CHARS}); returns the input. */
  public static String requireHostPort(String field, String address) {
    int colon = address == null ? -1 : address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      throw new IllegalArgumentException(field + " must be host:port, got " + quote(address));
    }
    if (address.length() > MAX_CHARS) {
      throw new IllegalArgumentException(field + " is " + address.length() + " characters; at most " + MAX_CHARS
          + " are allowed");
    }
    try {
      int port = Integer.parseInt(address.substring(colon + 1));
      if (port <= 0 || port > 65535) {
        throw new IllegalArgumentException(field + " has port out of range: " + quote(address));
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(field + " must be host:port, got " + quote(address));
    }
    return address;
  }

  private static String quote(String address) {
    return address == null ? "nothing" : Echo.quote(address);
  }
}
