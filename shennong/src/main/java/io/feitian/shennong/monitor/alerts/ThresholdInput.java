package io.feitian.shennong.monitor.alerts;

import io.feitian.shennong.monitor.rules.Comparison;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The newest window of a threshold rule's subscription. A group missing from it has no value, so
 * its condition does not hold (as in Prometheus); {@code keep_firing_for} rides out such gaps.
 */
final class ThresholdInput extends RuleInput {
  private final Comparison comparison;
  private List<Reading> readings;
  private long windowEndMs = Long.MIN_VALUE;

  ThresholdInput(Comparison comparison) {
    this.comparison = comparison;
  }

  /** A window's results; an older window than the newest seen is ignored. */
  void observe(long windowEndMs, List<Reading> readings) {
    if (windowEndMs < this.windowEndMs) {
      return;
    }
    this.windowEndMs = windowEndMs;
    this.readings = List.copyOf(readings);
  }

  long windowEndMs() {
    return windowEndMs;
  }

  @Override
  SortedMap<SortedMap<String, String>, Double> holding(long nowMs) {
    if (readings == null) {
      return null;
    }
    SortedMap<SortedMap<String, String>, Double> out = new TreeMap<>(Groups.ORDER);
    for (Reading r : readings) {
      if (comparison.holds(r.value())) {
        out.put(r.group(), r.value());
      }
    }
    return out;
  }
}
