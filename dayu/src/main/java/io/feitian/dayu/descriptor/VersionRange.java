package io.feitian.dayu.descriptor;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A set of versions: comparators that must all hold, e.g. {@code >= 0.1 < 0.2}; a bare version
 * means exactly that version and {@code *} any version. Spaces between an operator and its version
 * are optional. Bounds may leave out minor and patch ({@code 0.1} is {@code 0.1.0}).
 */
public record VersionRange(List<Bound> bounds) {
  private static final Pattern BOUND = Pattern.compile("(>=|<=|>|<|=)?\\s*([0-9][0-9A-Za-z.-]*)");

  public VersionRange {
    bounds = List.copyOf(bounds);
  }

  /** One comparator: {@code version op bound}. */
  public record Bound(String op, Version version) {
    boolean admits(Version v) {
      int c = v.compareTo(version);
      return switch (op) {
        case ">=" -> c >= 0;
        case ">" -> c > 0;
        case "<=" -> c <= 0;
        case "<" -> c < 0;
        default -> c == 0;
      };
    }

    @Override
    public String toString() {
      return op + " " + version;
    }
  }

  public static final VersionRange ANY = new VersionRange(List.of());

  public static VersionRange parse(String text) {
    String rest = text.trim();
    if (rest.equals("*")) {
      return ANY;
    }
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("is an empty version range (write * for any version)");
    }
    List<Bound> bounds = new ArrayList<>();
    Matcher m = BOUND.matcher(rest);
    int at = 0;
    while (at < rest.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException("is not a version range (e.g. \">= 0.1 < 0.2\"): \"" + text + "\"");
      }
      Version v;
      try {
        v = Version.parsePartial(m.group(2));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("has a bad version in range \"" + text + "\": " + e.getMessage());
      }
      bounds.add(new Bound(m.group(1) == null ? "=" : m.group(1), v));
      at = m.end();
      while (at < rest.length() && Character.isWhitespace(rest.charAt(at))) {
        at++;
      }
    }
    VersionRange range = new VersionRange(bounds);
    if (range.isEmpty()) {
      throw new IllegalArgumentException("is a version range no version satisfies: \"" + text + "\"");
    }
    return range;
  }

  public boolean admits(Version v) {
    return bounds.stream().allMatch(b -> b.admits(v));
  }

  /** True when a lower bound lies above an upper bound, e.g. ">= 0.2 < 0.1": certainly a typo. */
  private boolean isEmpty() {
    for (Bound low : bounds) {
      for (Bound high : bounds) {
        if (low.op.startsWith(">") && high.op.startsWith("<")) {
          int c = low.version.compareTo(high.version);
          boolean bothInclusive = low.op.equals(">=") && high.op.equals("<=");
          if (c > 0 || (c == 0 && !bothInclusive)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  @Override
  public String toString() {
    if (bounds.isEmpty()) {
      return "*";
    }
    return String.join(" ", bounds.stream().map(Bound::toString).toList());
  }
}
