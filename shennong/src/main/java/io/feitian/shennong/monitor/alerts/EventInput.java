package io.feitian.shennong.monitor.alerts;

import io.feitian.shennong.monitor.rules.Condition;
import io.feitian.shennong.monitor.rules.RuleParser;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The stamps of the matching events of the last {@code within}, per group. An event counts from
 * its own stamp, so a replay after a failover counts it in the window it happened in. At most
 * {@link RuleParser#MAX_EVENTS_PER_GROUP} are kept per group (the newest): {@code more_than} is
 * below that, so the condition is still decided right; only the value stops growing.
 */
final class EventInput extends RuleInput {
  private final Condition.EventBurst burst;
  /** Per group: stamp to the number of events with that stamp. */
  private final Map<SortedMap<String, String>, TreeMap<Long, Integer>> stamps = new HashMap<>();
  private final Map<SortedMap<String, String>, Integer> counts = new HashMap<>();
  private long newestMs;

  EventInput(Condition.EventBurst burst) {
    this.burst = burst;
  }

  void observe(Map<String, String> labels, long timestampMs) {
    SortedMap<String, String> group = Groups.of(burst.groupBy(), labels);
    stamps.computeIfAbsent(group, g -> new TreeMap<>()).merge(timestampMs, 1, Integer::sum);
    int count = counts.merge(group, 1, Integer::sum);
    if (count > RuleParser.MAX_EVENTS_PER_GROUP) {
      removeOldest(group);
    }
    newestMs = Math.max(newestMs, timestampMs);
  }

  private void removeOldest(SortedMap<String, String> group) {
    TreeMap<Long, Integer> times = stamps.get(group);
    Map.Entry<Long, Integer> oldest = times.firstEntry();
    if (oldest.getValue() == 1) {
      times.pollFirstEntry();
    } else {
      times.put(oldest.getKey(), oldest.getValue() - 1);
    }
    counts.merge(group, -1, Integer::sum);
  }

  /** The newest stamp received: where a resumed events subscription starts ({@code events_since_ms}). */
  long newestMs() {
    return newestMs;
  }

  void restoreNewest(long newestMs) {
    this.newestMs = Math.max(this.newestMs, newestMs);
  }

  /** The stamps held per group, one entry per event, oldest first. */
  Map<SortedMap<String, String>, List<Long>> stampsByGroup() {
    Map<SortedMap<String, String>, List<Long>> out = new HashMap<>();
    stamps.forEach((group, times) -> out.put(group, times.entrySet().stream()
        .flatMap(e -> Collections.nCopies(e.getValue(), e.getKey()).stream()).toList()));
    return out;
  }

  @Override
  SortedMap<SortedMap<String, String>, Double> holding(long nowMs) {
    long cutoff = nowMs - burst.withinMs();
    SortedMap<SortedMap<String, String>, Double> out = new TreeMap<>(Groups.ORDER);
    stamps.entrySet().removeIf(e -> {
      SortedMap<Long, Integer> expired = e.getValue().headMap(cutoff, true);
      int gone = expired.values().stream().mapToInt(Integer::intValue).sum();
      expired.clear();
      int left = counts.merge(e.getKey(), -gone, Integer::sum);
      if (left == 0) {
        counts.remove(e.getKey());
        return true;
      }
      if (left > burst.moreThan()) {
        out.put(e.getKey(), (double) left);
      }
      return false;
    });
    return out;
  }
}
