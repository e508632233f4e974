package io.feitian.shennong.monitor.notify;

import io.feitian.shennong.monitor.alerts.Alert;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;

/**
 * What a {@link Notifier} carries over to its successor: its groups (their alerts and next look),
 * what was last notified per group (so nothing is notified twice), and the silences.
 */
public record NotifierSnapshot(List<GroupRecord> groups, List<SentRecord> sent, List<SilenceRecord> silences) {
  public NotifierSnapshot {
    groups = List.copyOf(groups);
    sent = List.copyOf(sent);
    silences = List.copyOf(silences);
  }

  public record GroupRecord(String key, SortedMap<String, String> groupLabels, List<Alert> alerts, long nextFlushMs) {}

  /** The last notification of a group: when, and the fingerprints it said were firing and resolved. */
  public record SentRecord(String key, long atMs, Set<String> firing, Set<String> resolved) {}

  /** A silence with its matchers as text ({@code {node="n1"}}). */
  public record SilenceRecord(String id, String matchers, long startsAtMs, long endsAtMs, String createdBy,
                              String comment) {}
}
