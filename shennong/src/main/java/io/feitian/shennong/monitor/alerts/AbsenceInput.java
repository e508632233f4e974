package io.feitian.shennong.monitor.alerts;

import io.feitian.shennong.ops.WindowQuery;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * When each group of an absence rule last reported. A group is known once it has reported; a rule
 * without {@code by} has one group, known from the start, so "nothing at all reports" is caught
 * even if nothing ever did. At most {@link WindowQuery#MAX_GROUPS} groups are remembered; beyond,
 * the one silent the longest is forgotten.
 */
final class AbsenceInput extends RuleInput {
  private final long afterMs;
  private final Map<SortedMap<String, String>, Long> lastSeenMs = new HashMap<>();
  private long windowEndMs = Long.MIN_VALUE;

  AbsenceInput(long afterMs, boolean grouped, long startMs) {
    this.afterMs = afterMs;
    if (!grouped) {
      lastSeenMs.put(new TreeMap<>(), startMs);
    }
  }

  void observe(long windowEndMs, List<Reading> readings) {
    this.windowEndMs = Math.max(this.windowEndMs, windowEndMs);
    for (Reading r : readings) {
      lastSeenMs.merge(r.group(), windowEndMs, Math::max);
    }
    while (lastSeenMs.size() > WindowQuery.MAX_GROUPS) {
      lastSeenMs.entrySet().stream().min(Map.Entry.comparingByValue())
          .ifPresent(oldest -> lastSeenMs.remove(oldest.getKey()));
    }
  }

  /** Restores what a snapshot held (a later report wins). */
  void restoreSeen(SortedMap<String, String> group, long seenMs) {
    lastSeenMs.merge(group, seenMs, Math::max);
  }

  Map<SortedMap<String, String>, Long> lastSeenMs() {
    return lastSeenMs;
  }

  long windowEndMs() {
    return windowEndMs;
  }

  @Override
  SortedMap<SortedMap<String, String>, Double> holding(long nowMs) {
    if (windowEndMs == Long.MIN_VALUE) {
      return null;
    }
    SortedMap<SortedMap<String, String>, Double> out = new TreeMap<>(Groups.ORDER);
    lastSeenMs.forEach((group, seen) -> {
      if (nowMs - seen >= afterMs) {
        out.put(group, (nowMs - seen) / 1000.0);
      }
    });
    return out;
  }
}
