package io.feitian.shennong.monitor.alerts;

import java.util.List;
import java.util.SortedMap;

/**
 * Everything an {@link AlertEvaluator} must carry over to a restarted or standby evaluator so that
 * no firing alert is lost and none is raised again: plain values, for the shell to persist as it
 * likes.
 *
 * @param alerts every pending, firing and resolved alert
 * @param lastSeen absence rules: when each group last reported
 * @param events event rules: the stamps still in the window, per group
 * @param newestEvents event rules: the newest stamp received (where the events subscription resumes)
 */
public record EvaluatorSnapshot(List<AlertRecord> alerts, List<SeenRecord> lastSeen, List<EventRecord> events,
                                List<NewestEvent> newestEvents) {
  public EvaluatorSnapshot {
    alerts = List.copyOf(alerts);
    lastSeen = List.copyOf(lastSeen);
    events = List.copyOf(events);
    newestEvents = List.copyOf(newestEvents);
  }

  /** One alert's state; {@code keepFiringSinceMs} is when a firing alert's condition stopped holding (0: holds). */
  public record AlertRecord(String rule, SortedMap<String, String> group, SortedMap<String, String> labels,
                            SortedMap<String, String> annotations, AlertState state, long activeAtMs, long firedAtMs,
                            long keepFiringSinceMs, long resolvedAtMs, double value) {}

  public record SeenRecord(String rule, SortedMap<String, String> group, long lastSeenMs) {}

  public record EventRecord(String rule, SortedMap<String, String> group, List<Long> timestampsMs) {}

  public record NewestEvent(String rule, long timestampMs) {}
}
