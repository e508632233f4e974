package io.feitian.shennong.series;

/**
 * The newest samples of one series, oldest first, in a ring of two primitive arrays: timestamps
 * as int offsets from a base (4 bytes instead of 8: a window spans minutes, an int spans 24 days)
 * and values as doubles. Keeps the samples no older than {@code retentionMs} before the newest,
 * at most {@code maxSamples} of them. Not thread-safe; the agent's loop owns it.
 */
public final class SeriesWindow {
  /** What the JVM adds to each array (header and length), for {@link #retainedBytes()}. */
  static final int ARRAY_HEADER_BYTES = 16;
  private static final int INITIAL_CAPACITY = 8;

  private final long retentionMs;
  private final int maxSamples;
  private long base;
  private int[] offsets;
  private double[] values;
  /** Index of the oldest sample in the arrays. */
  private int head;
  private int size;
  /** The newest timestamp of a sample this window held and dropped; Long.MIN_VALUE while none was. */
  private long droppedUpTo = Long.MIN_VALUE;
  /** Samples dropped to the sample limit while still within the retention. */
  private long overflowed;

  public SeriesWindow(long retentionMs, int maxSamples) {
    if (retentionMs < 1 || retentionMs > StoreLimits.MAX_RETENTION_MS) {
      throw new IllegalArgumentException("retentionMs must be between 1 and " + StoreLimits.MAX_RETENTION_MS
          + ", got " + retentionMs);
    }
    if (maxSamples < 1) {
      throw new IllegalArgumentException("maxSamples must be positive, got " + maxSamples);
    }
    this.retentionMs = retentionMs;
    this.maxSamples = maxSamples;
    int capacity = Math.min(INITIAL_CAPACITY, maxSamples);
    this.offsets = new int[capacity];
    this.values = new double[capacity];
  }

  /**
   * Adds a sample newer than every sample held, dropping those that fall out of the retention
   * (or, at the sample limit, the oldest). Returns false, changing nothing, for a sample not
   * newer than the newest. Timestamps are milliseconds since the epoch, never negative.
   */
  public boolean append(long timestampMs, double value) {
    if (timestampMs < 0) {
      throw new IllegalArgumentException("timestampMs must not be negative, got " + timestampMs);
    }
    if (size > 0 && timestampMs <= newest()) {
      return false;
    }
    dropOlderThan(timestampMs - retentionMs);
    if (size == 0) {
      base = timestampMs;
    } else if (timestampMs - base > Integer.MAX_VALUE) {
      rebase();
    }
    if (size == offsets.length) {
      if (size < maxSamples) {
        resize(Math.min(maxSamples, 2 * size));
      } else {
        dropOldest();
        overflowed++;
      }
    }
    int i = slot(size);
    offsets[i] = (int) (timestampMs - base);
    values[i] = value;
    size++;
    return true;
  }

  /** Drops every sample older than {@code cutoffMs}. */
  void dropOlderThan(long cutoffMs) {
    while (size > 0 && timestampAt(0) < cutoffMs) {
      dropOldest();
    }
  }

  public int size() {
    return size;
  }

  /** The timestamp of the i-th sample, oldest first. */
  public long timestampAt(int i) {
    return base + offsets[slot(i)];
  }

  /** The value of the i-th sample, oldest first. */
  public double valueAt(int i) {
    return values[slot(i)];
  }

  /** The newest timestamp; the window must not be empty. */
  public long newest() {
    return timestampAt(size - 1);
  }

  /** The index of the first sample newer than {@code timestampMs} ({@link #size()} when none is). */
  public int firstIndexAfter(long timestampMs) {
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (timestampAt(mid) <= timestampMs) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * Every sample this window was given that is newer than the returned time is still here:
   * Long.MIN_VALUE while nothing was dropped. A window (start, end] of a query is complete for
   * this series when start is at or after it.
   */
  public long completeAfter() {
    return droppedUpTo;
  }

  /** Samples dropped because the series was written faster than the window keeps them. */
  public long overflowed() {
    return overflowed;
  }

  /** The bytes of the two arrays, headers included: what a series' samples cost. */
  public long retainedBytes() {
    return 2L * ARRAY_HEADER_BYTES + (long) offsets.length * Integer.BYTES + (long) values.length * Double.BYTES;
  }

  private int slot(int i) {
    int s = head + i;
    return s < offsets.length ? s : s - offsets.length;
  }

  private void dropOldest() {
    droppedUpTo = timestampAt(0);
    head = slot(1);
    size--;
  }

  private void resize(int capacity) {
    int[] o = new int[capacity];
    double[] v = new double[capacity];
    for (int i = 0; i < size; i++) {
      o[i] = offsets[slot(i)];
      v[i] = values[slot(i)];
    }
    offsets = o;
    values = v;
    head = 0;
  }

  /** Moves the base to the oldest sample, which the retention keeps within an int of any new one. */
  private void rebase() {
    int shift = offsets[slot(0)];
    for (int i = 0; i < size; i++) {
      offsets[slot(i)] -= shift;
    }
    base += shift;
  }
}
