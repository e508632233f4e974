package io.feitian.bench.e2e;

import io.feitian.bench.LatencyHistogram;

/** A {@link LatencyHistogram} shared by threads: callers record batches, so contention stays low. */
final class Histogram {
  private final LatencyHistogram h = new LatencyHistogram();

  synchronized void record(long value) {
    h.record(value);
  }

  synchronized void recordAll(long[] values, int n) {
    for (int i = 0; i < n; i++) {
      h.record(values[i]);
    }
  }

  synchronized void reset() {
    h.reset();
  }

  synchronized long count() {
    return h.count();
  }

  synchronized long max() {
    return h.max();
  }

  /** The value at quantile q (0..1). */
  synchronized long quantile(double q) {
    return h.percentile(q);
  }
}
