package io.feitian.shennong.inspector;

import java.util.OptionalDouble;

/**
 * A CPU's (or all CPUs') time counters, in the operating system's ticks: the busy part and the
 * total. Idle and I/O wait are not busy; everything else (user, nice, system, interrupts, steal) is.
 */
record CpuTicks(long busy, long total) {

  /**
   * The fraction of {@code later}'s time since {@code this} that was busy, in [0, 1]; empty when no
   * time passed or the counters went back (a CPU taken offline and back resets its counters).
   */
  OptionalDouble busyFractionUntil(CpuTicks later) {
    long busyDelta = later.busy - busy;
    long totalDelta = later.total - total;
    if (totalDelta <= 0 || busyDelta < 0 || busyDelta > totalDelta) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of((double) busyDelta / totalDelta);
  }
}
