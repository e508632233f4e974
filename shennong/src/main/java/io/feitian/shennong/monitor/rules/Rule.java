package io.feitian.shennong.monitor.rules;

import io.feitian.proto.shennong.v1.SubscribeRequest;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One alerting rule as loaded from a rule file.
 *
 * @param name the rule's name, unique in its {@link RuleSet}; alerts carry it as {@code alertname}
 * @param origin where it was defined
 * @param condition what it watches
 * @param forMs how long the condition must hold before the alert fires (0: at once)
 * @param keepFiringForMs how long a firing alert keeps firing after its condition stops holding
 * @param labels added to the alert's labels; may use {@code $labels} of the group and {@code $value}
 * @param annotations informational texts; may use every label of the alert and {@code $value}
 */
public record Rule(String name, Origin origin, Condition condition, long forMs, long keepFiringForMs,
                   SortedMap<String, Template> labels, SortedMap<String, Template> annotations) {
  /** The label every alert carries: its rule's name. */
  public static final String ALERTNAME = "alertname";

  public Rule {
    labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    annotations = Collections.unmodifiableSortedMap(new TreeMap<>(annotations));
  }

  /** The one Shennong subscription this rule reads. */
  public SubscribeRequest subscription() {
    return condition.subscription();
  }

  public List<String> groupBy() {
    return condition.groupBy();
  }

  /** The labels of the alert of one group: alertname, the group's labels, then the rule's labels rendered. */
  public SortedMap<String, String> alertLabels(Map<String, String> group, double value) {
    SortedMap<String, String> base = new TreeMap<>(group);
    base.put(ALERTNAME, name);
    SortedMap<String, String> all = new TreeMap<>(base);
    labels.forEach((k, t) -> all.put(k, t.render(base, value)));
    all.values().removeIf(String::isEmpty);
    return all;
  }

  /** The annotations of an alert with these labels and this value; empty ones are left out. */
  public SortedMap<String, String> alertAnnotations(Map<String, String> alertLabels, double value) {
    SortedMap<String, String> out = new TreeMap<>();
    annotations.forEach((k, t) -> out.put(k, t.render(alertLabels, value)));
    out.values().removeIf(String::isEmpty);
    return out;
  }
}
