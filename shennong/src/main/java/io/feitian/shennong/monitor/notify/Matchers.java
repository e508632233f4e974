package io.feitian.shennong.monitor.notify;

import io.feitian.shennong.select.LabelMatcher;
import io.feitian.shennong.select.Selector;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Label matchers of silences and inhibition rules, in the selector grammar without a name:
 * {@code {node="n1",alertname=~"Process.*"}} (= != =~ !~, regular expressions match the whole
 * value, an absent label is ""). One grammar for selectors, silences and inhibitions.
 */
public final class Matchers {
  private Matchers() {}

  /** Parses {@code {label op "value", ...}}; errors name the position as selectors do. */
  public static List<LabelMatcher> parse(String text) {
    if (!text.strip().startsWith("{")) {
      throw new IllegalArgumentException("matchers must be label matchers in braces, such as {node=\"n1\"}, got \""
          + text + "\"");
    }
    return Selector.parse(text).matchers();
  }

  public static boolean matchAll(List<LabelMatcher> matchers, Map<String, String> labels) {
    for (LabelMatcher m : matchers) {
      if (!m.matches(label -> labels.getOrDefault(label, ""))) {
        return false;
      }
    }
    return true;
  }

  /** The matchers as {@link #parse} reads them. */
  public static String format(List<LabelMatcher> matchers) {
    return matchers.stream().map(LabelMatcher::toString).collect(Collectors.joining(",", "{", "}"));
  }
}
