package io.feitian.shennong.monitor.service;

import io.feitian.shennong.monitor.alerts.Transition;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One alert transition as recorded: a line of the history file, an entry of the snapshot's recent
 * history, and what {@code feitian alerts history} lists.
 *
 * @param epoch the term of the monitor-service leader that recorded it
 */
public record HistoryEntry(long atMs, String rule, SortedMap<String, String> labels, String from, String to,
                           double value, String fingerprint, long epoch) {
  public HistoryEntry {
    labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
  }

  public static HistoryEntry of(Transition t, long epoch) {
    return new HistoryEntry(t.atMs(), t.alert().rule(), t.alert().labels(), t.from().name(), t.to().name(),
        t.alert().value(), t.alert().fingerprint(), epoch);
  }
}
