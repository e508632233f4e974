package io.feitian.shennong.monitor.rules;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as rule files spell them, as Prometheus does: one or more of a number and a unit,
 * largest unit first ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 2d}). A number
 * without a unit is refused: {@code for = 5} could mean 5 ms or 5 minutes.
 */
final class Durations {
  private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:ms|s|m|h|d))+");
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  /** A year: long enough for any rule, short enough that no sum overflows. */
  static final long MAX_MS = 366L * 24 * 3600 * 1000;

  private Durations() {}

  /** Milliseconds, or an IllegalArgumentException saying what a duration looks like. */
  static long parseMs(String text) {
    if (!WHOLE.matcher(text).matches()) {
      throw new IllegalArgumentException("must be a duration such as 500ms, 30s, 5m, 1h30m or 2d, got \"" + text + "\"");
    }
    Matcher part = PART.matcher(text);
    long total = 0;
    String previousUnit = null;
    while (part.find()) {
      String unit = part.group(2);
      if (previousUnit != null && unitMs(unit) >= unitMs(previousUnit)) {
        throw new IllegalArgumentException("must list its units largest first, each once, got \"" + text + "\"");
      }
      previousUnit = unit;
      String digits = part.group(1);
      if (digits.length() > 12) {
        throw new IllegalArgumentException("is longer than a year: \"" + text + "\"");
      }
      total += Long.parseLong(digits) * unitMs(unit);
      if (total > MAX_MS) {
        throw new IllegalArgumentException("is longer than a year: \"" + text + "\"");
      }
    }
    return total;
  }

  private static long unitMs(String unit) {
    return switch (unit) {
      case "ms" -> 1;
      case "s" -> 1_000;
      case "m" -> 60_000;
      case "h" -> 3_600_000;
      default -> 86_400_000;
    };
  }

  /** The duration as a rule file would spell it, for error messages and docs. */
  static String format(long ms) {
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }
}
