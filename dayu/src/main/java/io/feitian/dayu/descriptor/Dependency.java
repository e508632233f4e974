package io.feitian.dayu.descriptor;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** "This module needs {@code module} at a version in {@code range}", written {@code fuxi-master >= 0.1 < 0.2}. */
public record Dependency(String module, VersionRange range) {
  private static final Pattern TEXT = Pattern.compile("([a-z][a-z0-9-]*)(?:\\s+(.*))?");

  public static Dependency parse(String text) {
    Matcher m = TEXT.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("must be a module name and a version range, e.g. \"fuxi-master >= 0.1 < 0.2\", got \""
          + text + "\"");
    }
    return new Dependency(m.group(1), m.group(2) == null ? VersionRange.ANY : VersionRange.parse(m.group(2)));
  }

  @Override
  public String toString() {
    return module + " " + range;
  }
}
