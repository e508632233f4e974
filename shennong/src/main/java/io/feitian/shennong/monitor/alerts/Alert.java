package io.feitian.shennong.monitor.alerts;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One alert as the evaluator hands it out: to the notifier, to listings, in transitions.
 *
 * @param rule the rule's name (also the label {@code alertname})
 * @param labels every label: alertname, the group's, the rule's (rendered when the alert became pending)
 * @param annotations rendered with the newest value
 * @param activeAtMs when the condition began to hold (the alert became pending)
 * @param firedAtMs when it fired, 0 if it has not
 * @param resolvedAtMs when it resolved, 0 if it has not
 * @param value the newest value: the aggregate, seconds of absence, or events in the window
 */
public record Alert(String rule, SortedMap<String, String> labels, SortedMap<String, String> annotations,
                    AlertState state, long activeAtMs, long firedAtMs, long resolvedAtMs, double value) {
  public Alert {
    labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    annotations = Collections.unmodifiableSortedMap(new TreeMap<>(annotations));
  }

  public String fingerprint() {
    return Fingerprint.of(labels);
  }

  /** The same alert, resolved at {@code atMs}: how the notifier closes an alert the evaluator no longer reports. */
  public Alert resolvedAt(long atMs) {
    return new Alert(rule, labels, annotations, AlertState.RESOLVED, activeAtMs, firedAtMs, atMs, value);
  }

  public boolean isFiring() {
    return state == AlertState.FIRING;
  }

  /** The alert's labels and state in one line, for logs: {@code NodeCpuHigh{node="n1"} FIRING}. */
  @Override
  public String toString() {
    Map<String, String> rest = new TreeMap<>(labels);
    rest.remove("alertname");
    return rule + rest + " " + state;
  }
}
