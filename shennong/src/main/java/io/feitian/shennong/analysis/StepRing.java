package io.feitian.shennong.analysis;

import java.util.Arrays;

/**
 * One value per step for the newest {@code capacity} steps, in a fixed array: step {@code s} lives in slot
 * {@code s mod capacity}. A step never written (or skipped over) reads as NaN. Steps are numbers of steps since the
 * epoch, so a ring needs no timestamps: 8 bytes per point.
 */
final class StepRing {
  private static final long EMPTY = Long.MIN_VALUE;

  private final double[] values;
  private long newest = EMPTY;

  StepRing(int capacity) {
    this.values = new double[capacity];
    Arrays.fill(values, Double.NaN);
  }

  int capacity() {
    return values.length;
  }

  /** The newest step written, or {@code Long.MIN_VALUE} when none was. */
  long newest() {
    return newest;
  }

  /** The oldest step the ring still holds (it may read NaN). */
  long oldest() {
    return newest == EMPTY ? EMPTY : newest - values.length + 1;
  }

  /**
   * Writes a step's value. A newer step than the newest clears the steps in between (they had no value); a step
   * older than the ring holds is ignored and returns false.
   */
  boolean put(long step, double value) {
    if (newest == EMPTY || step > newest) {
      if (newest != EMPTY) {
        long gap = Math.min(step - newest - 1, values.length);
        for (long s = step - gap; s < step; s++) {
          values[slot(s)] = Double.NaN;
        }
      }
      newest = step;
    } else if (step <= newest - values.length) {
      return false;
    }
    values[slot(step)] = value;
    return true;
  }

  /** The step's value, NaN when it has none or the ring no longer (or never) held it. */
  double get(long step) {
    if (newest == EMPTY || step > newest || step <= newest - values.length) {
      return Double.NaN;
    }
    return values[slot(step)];
  }

  /** Whether every step the ring holds reads NaN. */
  boolean isEmpty() {
    if (newest == EMPTY) {
      return true;
    }
    for (double v : values) {
      if (!Double.isNaN(v)) {
        return false;
      }
    }
    return true;
  }

  /** What the ring keeps in memory: its array (header and values) and the object itself. */
  long retainedBytes() {
    return 16 + 8L * values.length + 16 + 8;
  }

  private int slot(long step) {
    return (int) Math.floorMod(step, (long) values.length);
  }
}
