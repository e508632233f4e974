package io.feitian.shennong.select;

import io.feitian.proto.shennong.v1.Severity;

/**
 * A parsed event selector such as {@code job.*|node.lost{severity>="warning",rack="r1"}}: the
 * series grammar plus {@code severity>=}, a minimum severity. An event's severity is also visible
 * to the ordinary matchers as the label {@code severity} (its lower-case name), so
 * {@code severity="error"} selects exactly one level; events may not carry a label of that name.
 */
public final class EventSelector {
  /** The label name reserved for an event's severity. */
  public static final String SEVERITY_LABEL = SelectorParser.SEVERITY;

  private final Selector names;
  private final Severity minSeverity;

  private EventSelector(Selector names, Severity minSeverity) {
    this.names = names;
    this.minSeverity = minSeverity;
  }

  /** Parses an event selector; errors name the position as {@link Selector#parse} does. */
  public static EventSelector parse(String text) {
    SelectorParser.Parsed p = SelectorParser.parse(text, true);
    return new EventSelector(new Selector(p.names(), p.matchers()),
        p.minSeverity() == null ? Severity.SEVERITY_DEBUG : p.minSeverity());
  }

  public boolean matches(String name, Severity severity, LabelValues labels) {
    if (severity == Severity.UNRECOGNIZED || severity == Severity.SEVERITY_UNSPECIFIED
        || severity.getNumber() < minSeverity.getNumber() || !names.matchesName(name)) {
      return false;
    }
    String level = SelectorParser.severityName(severity);
    return names.matchesLabels(label -> label.equals(SelectorParser.SEVERITY) ? level : labels.valueOf(label));
  }

  public Severity minSeverity() {
    return minSeverity;
  }

  @Override
  public String toString() {
    String min = minSeverity == Severity.SEVERITY_DEBUG ? ""
        : "severity>=\"" + SelectorParser.severityName(minSeverity) + "\"";
    return Selector.render(names.names(), names.matchers(), min);
  }
}
