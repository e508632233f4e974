package io.feitian.shennong.select;

/** A series or event name in which {@code *} matches any run of characters, including none. */
record NamePattern(String pattern) {
  boolean hasWildcard() {
    return pattern.indexOf('*') >= 0;
  }

  /**
   * Wildcard matching without backtracking blow-up: remembers only the last star and where the
   * text stood when it was met, so it runs in O(text × pattern) at worst.
   */
  boolean matches(String text) {
    int p = 0;
    int t = 0;
    int star = -1;
    int resume = 0;
    while (t < text.length()) {
      if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        resume = t;
      } else if (p < pattern.length() && pattern.charAt(p) == text.charAt(t)) {
        p++;
        t++;
      } else if (star >= 0) {
        p = star + 1;
        t = ++resume;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  @Override
  public String toString() {
    return pattern;
  }
}
