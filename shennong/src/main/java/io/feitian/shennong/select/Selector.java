package io.feitian.shennong.select;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A parsed series selector such as {@code cpu.usage{node="n1",role=~"task.*"}}: name patterns
 * (any of which may match) and label matchers (all of which must match). Immutable; parse once,
 * match many times.
 */
public final class Selector {
  /** Characters of a selector: a status description quotes it, and a header holds 8 KiB at most. */
  public static final int MAX_CHARS = 1024;
  /** Label matchers (and severity>=) in one selector. */
  public static final int MAX_MATCHERS = 32;
  /** Name alternatives ({@code a|b|c}) in one selector. */
  public static final int MAX_NAMES = 32;

  private final List<NamePattern> names;
  private final List<LabelMatcher> matchers;
  private final List<String> exactNames;
  private final String canonical;

  Selector(List<NamePattern> names, List<LabelMatcher> matchers) {
    this.names = names;
    this.matchers = matchers;
    boolean exact = !names.isEmpty() && names.stream().noneMatch(NamePattern::hasWildcard);
    this.exactNames = exact ? names.stream().map(NamePattern::pattern).distinct().toList() : null;
    this.canonical = render(names, matchers, "");
  }

  /** Parses a series selector; errors name the position ({@code selector: unterminated string at 17}). */
  public static Selector parse(String text) {
    SelectorParser.Parsed p = SelectorParser.parse(text, false);
    return new Selector(p.names(), p.matchers());
  }

  /** Whether a series (or event) of this name and these labels is selected. */
  public boolean matches(String name, LabelValues labels) {
    return matchesName(name) && matchesLabels(labels);
  }

  public boolean matches(String name, Map<String, String> labels) {
    return matches(name, label -> labels.getOrDefault(label, ""));
  }

  /** Whether some series of this name may be selected, whatever its labels (the master routes on names). */
  public boolean matchesName(String name) {
    if (names.isEmpty()) {
      return true;
    }
    for (NamePattern p : names) {
      if (p.matches(name)) {
        return true;
      }
    }
    return false;
  }

  public boolean matchesLabels(LabelValues labels) {
    for (LabelMatcher m : matchers) {
      if (!m.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  /** The names this selector can match when it has no wildcard (so a store looks them up), else null. */
  public List<String> exactNames() {
    return exactNames;
  }

  List<NamePattern> names() {
    return names;
  }

  public List<LabelMatcher> matchers() {
    return matchers;
  }

  /** Selectors are equal when their canonical forms are: they select the same series. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Selector s && canonical.equals(s.canonical);
  }

  @Override
  public int hashCode() {
    return canonical.hashCode();
  }

  /** The selector in canonical form; parsing it gives an equivalent selector. */
  @Override
  public String toString() {
    return canonical;
  }

  static String render(List<NamePattern> names, List<LabelMatcher> matchers, String extra) {
    String head = names.stream().map(NamePattern::pattern).collect(Collectors.joining("|"));
    if (matchers.isEmpty() && extra.isEmpty()) {
      return head;
    }
    String body = matchers.stream().map(LabelMatcher::toString).collect(Collectors.joining(","));
    return head + "{" + extra + (extra.isEmpty() || body.isEmpty() ? "" : ",") + body + "}";
  }
}
