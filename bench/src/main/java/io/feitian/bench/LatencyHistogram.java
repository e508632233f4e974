package io.feitian.bench;

/**
 * Latencies in log-linear buckets: 64 sub-buckets per power of two, so a reported percentile is
 * within about 1.6% of the true value. Fixed memory, no allocation per sample, not thread-safe.
 */
public final class LatencyHistogram {

    private static final int SUB_BITS = 6;
    private static final int SUB = 1 << SUB_BITS;

    private final long[] counts = new long[64 * SUB];
    private long total;
    private long max;
    private long sum;

    public void record(long nanos) {
        record(nanos, 1);
    }

    public void record(long nanos, long times) {
        long v = Math.max(nanos, 0);
        counts[index(v)] += times;
        total += times;
        sum += v * times;
        max = Math.max(max, v);
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

    /** The upper edge of bucket i. */
    private static long value(int i) {
        if (i < SUB) {
            return i;
        }
        int shift = i / SUB - 1;
        long sub = i % SUB;
        return ((SUB + sub + 1) << shift) - 1;
    }

    public void reset() {
        java.util.Arrays.fill(counts, 0);
        total = 0;
        max = 0;
        sum = 0;
    }

    public long count() {
        return total;
    }

    public long max() {
        return max;
    }

    public double mean() {
        return total == 0 ? 0 : (double) sum / total;
    }

    /** The value at quantile q (0..1), nanoseconds. */
    public long percentile(double q) {
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
}
