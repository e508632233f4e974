package io.feitian.client.shennong;

import io.feitian.proto.shennong.v1.Sample;
import java.util.List;
import java.util.Map;

/**
 * What every meter of a writer does at a flush: append one sample per series it publishes, all
 * at the flush's timestamp. Callers' updates go to lock-free fields; only the flush thread calls
 * {@link #collect} and {@link #unsent}.
 */
abstract class Meter {
  /** The meter's samples of one flush, at {@code timestampMs}; non-finite values are left out (the agent refuses them). */
  abstract void collect(long timestampMs, List<Sample> out);

  /**
   * The samples of the last collect did not reach the agent. Cumulative values need nothing (the
   * next flush carries the totals); a per-interval value (a timer's max) keeps what it had.
   */
  void unsent() {}

  /** A sample of series {@code name} with the meter's labels, to be completed at each flush. */
  static Sample prototype(String name, Map<String, String> labels) {
    return Sample.newBuilder().setName(name).putAllLabels(labels).build();
  }

  static void add(List<Sample> out, Sample prototype, long timestampMs, double value) {
    if (Double.isFinite(value)) {
      out.add(prototype.toBuilder().setTimestampMs(timestampMs).setValue(value).build());
    }
  }
}
