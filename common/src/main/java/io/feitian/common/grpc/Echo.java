package io.feitian.common.grpc;

/**
 * Input values quoted back in errors, cut short: a status description travels
 * in a response header, and a client refuses headers above 8 KiB (a 16 KiB
 * application id echoed whole turns NOT_FOUND into RESOURCE_EXHAUSTED).
 * {@link GrpcServer} also cuts every description at {@link #MAX_DESCRIPTION_CHARS}.
 */
public final class Echo {
  /** Characters of an input value quoted in an error. */
  public static final int MAX_VALUE_CHARS = 64;
  /** Characters of a whole status description. */
  public static final int MAX_DESCRIPTION_CHARS = 1024;

  private Echo() {}

  /** The value in single quotes; a long one is cut and its length said: {@code 'aaaa…' (16384 chars)}. */
  public static String quote(String value) {
    return value.length() <= MAX_VALUE_CHARS ? "'" + value + "'"
        : "'" + cut(value, MAX_VALUE_CHARS) + "…' (" + value.length() + " chars)";
  }

  /** At most {@code max} characters of the text, never splitting a surrogate pair. */
  public static String cut(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
    return text.substring(0, end);
  }
}
