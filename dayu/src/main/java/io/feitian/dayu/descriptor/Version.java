package io.feitian.dayu.descriptor;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A semantic version (semver.org 2.0): MAJOR.MINOR.PATCH with an optional pre-release
 * ({@code -rc.1}); build metadata ({@code +abc}) is accepted and ignored in comparisons, as the
 * specification says. A pre-release sorts before its release: 0.2.0-rc.1 &lt; 0.2.0.
 */
public record Version(int major, int minor, int patch, String preRelease) implements Comparable<Version> {
  private static final Pattern FULL = Pattern.compile(
      "(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?(?:\\+[0-9A-Za-z.-]+)?");
  /** In a range a version may leave out its minor and patch: ">= 0.1" means ">= 0.1.0". */
  private static final Pattern PARTIAL = Pattern.compile("(0|[1-9]\\d{0,8})(?:\\.(0|[1-9]\\d{0,8}))?(?:\\.(0|[1-9]\\d{0,8}))?"
      + "(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?");

  public Version {
    if (major < 0 || minor < 0 || patch < 0) {
      throw new IllegalArgumentException("version numbers must not be negative");
    }
    preRelease = preRelease == null ? "" : preRelease;
  }

  /** A full version, e.g. "0.1.0" or "1.2.3-rc.1". */
  public static Version parse(String text) {
    Matcher m = FULL.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("is not a semantic version MAJOR.MINOR.PATCH[-PRERELEASE]: \"" + text + "\"");
    }
    return of(m);
  }

  /** A version of a range bound, whose minor and patch may be left out (they are then 0). */
  static Version parsePartial(String text) {
    Matcher m = PARTIAL.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("\"" + text + "\" is not a version");
    }
    return of(m);
  }

  private static Version of(Matcher m) {
    return new Version(Integer.parseInt(m.group(1)), number(m.group(2)), number(m.group(3)), m.group(4));
  }

  private static int number(String group) {
    return group == null ? 0 : Integer.parseInt(group);
  }

  @Override
  public int compareTo(Version o) {
    int c = Integer.compare(major, o.major);
    c = c != 0 ? c : Integer.compare(minor, o.minor);
    c = c != 0 ? c : Integer.compare(patch, o.patch);
    return c != 0 ? c : comparePreRelease(preRelease, o.preRelease);
  }

  private static int comparePreRelease(String a, String b) {
    if (a.equals(b)) {
      return 0;
    }
    if (a.isEmpty() || b.isEmpty()) {
      return a.isEmpty() ? 1 : -1;
    }
    List<String> x = List.of(a.split("\\."));
    List<String> y = List.of(b.split("\\."));
    for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
      int c = compareIdentifier(x.get(i), y.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.size(), y.size());
  }

  /** Numeric identifiers compare as numbers and sort before alphanumeric ones. */
  private static int compareIdentifier(String a, String b) {
    boolean an = a.chars().allMatch(Character::isDigit);
    boolean bn = b.chars().allMatch(Character::isDigit);
    if (an && bn) {
      return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
    }
    if (an != bn) {
      return an ? -1 : 1;
    }
    return a.compareTo(b);
  }

  public boolean isAtLeast(Version other) {
    return compareTo(other) >= 0;
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch + (preRelease.isEmpty() ? "" : "-" + preRelease);
  }
}
