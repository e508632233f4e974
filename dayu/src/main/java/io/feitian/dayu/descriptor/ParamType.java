package io.feitian.dayu.descriptor;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The type of a module parameter. Values travel as text (the configuration database stores them so);
 * {@link #normalize} checks one and returns its canonical form, so the descriptor parser and the
 * database refuse a wrong value with the same words.
 */
public enum ParamType {
  STRING("string"),
  INT("int"),
  BOOL("bool"),
  /** A duration: a whole number with a unit, ms, s, m, h or d ("30s"). Normalized to milliseconds ("30000ms"). */
  DURATION("duration"),
  /** host:port, the host a name, an IPv4 address, or an IPv6 address in brackets; a template may fill either part. */
  HOST_PORT("host-port");

  private static final Pattern DURATION_TEXT = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)");
  private static final Pattern HOST_PORT_TEXT = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9.-]+|\\{\\{[a-z0-9.-]+}}):(\\d{1,5}|\\{\\{[a-z0-9.-]+}})");

  private final String word;

  ParamType(String word) {
    this.word = word;
  }

  /** The name used in descriptors. */
  public String word() {
    return word;
  }

  public static ParamType fromWord(String word) {
    for (ParamType t : values()) {
      if (t.word.equals(word)) {
        return t;
      }
    }
    throw new IllegalArgumentException("is not a parameter type (string, int, bool, duration, host-port): \"" + word + "\"");
  }

  /** The value in canonical form; IllegalArgumentException saying what was expected if it has the wrong type. */
  public String normalize(String value) {
    switch (this) {
      case STRING -> {
        return value;
      }
      case INT -> {
        try {
          return Long.toString(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
          throw wrong(value, "a whole number");
        }
      }
      case BOOL -> {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
          throw wrong(value, "true or false");
        }
        return v;
      }
      case DURATION -> {
        return parseMillis(value) + "ms";
      }
      default -> {
        Matcher m = HOST_PORT_TEXT.matcher(value.trim());
        if (!m.matches() || (!m.group(2).startsWith("{") && Integer.parseInt(m.group(2)) > 65_535)) {
          throw wrong(value, "host:port");
        }
        return value.trim();
      }
    }
  }

  /** A duration in milliseconds, e.g. "500ms", "30s", "10m". */
  public static long parseMillis(String value) {
    Matcher m = DURATION_TEXT.matcher(value.trim());
    if (!m.matches()) {
      throw DURATION.wrong(value, "a duration such as 500ms, 30s, 10m, 2h or 1d");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> n;
      case "s" -> n * 1_000;
      case "m" -> n * 60_000;
      case "h" -> n * 3_600_000;
      default -> n * 86_400_000;
    };
  }

  private IllegalArgumentException wrong(String value, String expected) {
    return new IllegalArgumentException("must be " + expected + " (type " + word + "), got \"" + value + "\"");
  }
}
