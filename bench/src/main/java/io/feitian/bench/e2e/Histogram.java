package io.feitian.bench.e2e;

/**
 * Latencies in log-linear buckets (32 sub-buckets per power of two: a
 * percentile is within ~3% of the true value). Thread-safe by synchronization;
 * callers record batches, so contention stays low.
 */
final class Histogram {
  private static final int SUB_BITS = 5;
  private static final int SUB = 1 << SUB_BITS;

  private final long[] counts = new long[64 * SUB];
  private long total;
  private long max;

  synchronized void record(long value) {
    long v = Math.max(value, 0);
    counts[index(v)]++;
    total++;
    max = Math.max(max, v);
  }

  synchronized void recordAll(long[] values, int n) {
    for (int i = 0; i < n; i++) {
      long v = Math.max(values[i], 0);
      counts[index(v)]++;
      max = Math.max(max, v);
    }
    total += n;
  }

  synchronized void reset() {
    java.util.Arrays.fill(counts, 0);
    total = 0;
    max = 0;
  }

  synchronized long count() {
    return total;
  }

  synchronized long max() {
    return max;
  }

  /** The value at quantile q (0..1): the upper edge of its bucket. */
  synchronized long quantile(double q) {
    if (total == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank && counts[i] > 0) {
        return Math.min(value(i), max);
      }
    }
    return max;
  }

  private static int index(long v) {
    if (v < SUB) {
      return (int) v;
    }
    int msb = 63 - Long.numberOfLeadingZeros(v);
    int shift = msb - SUB_BITS;
    int sub = (int) (v >>> shift) & (SUB - 1);
    return (shift + 1) * SUB + sub;
  }

  private static long value(int i) {
    if (i < SUB) {
      return i;
    }
    int shift = i / SUB - 1;
    long sub = i % SUB;
    return ((SUB + sub + 1) << shift) - 1;
  }
}
