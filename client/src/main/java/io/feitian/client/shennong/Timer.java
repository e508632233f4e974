package io.feitian.client.shennong;

import io.feitian.proto.shennong.v1.Sample;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Durations of something that happens often. The agent keeps one sample per series per
 * timestamp, strictly newer each time, so observations cannot be sent one by one; a timer
 * publishes three series at every flush, as Micrometer does:
 *
 * <ul>
 *   <li>{@code <name>.count}: observations since the writer started (cumulative);
 *   <li>{@code <name>.sum.seconds}: their total duration (cumulative), so RATE(sum) / RATE(count)
 *       is the mean duration over any window;
 *   <li>{@code <name>.max.seconds}: the longest observation since the previous flush that reached
 *       the agent (0 when there was none).
 * </ul>
 *
 * Updates are lock-free and never block. Durations are kept in nanoseconds, so the sum is exact
 * up to 292 years of total time.
 */
public final class Timer extends Meter {
  private final Sample count;
  private final Sample sum;
  private final Sample max;
  private final LongAdder observations = new LongAdder();
  private final LongAdder totalNanos = new LongAdder();
  private final AtomicLong maxNanos = new AtomicLong();
  /** The max the last collect took (flush thread only), put back if it did not reach the agent. */
  private long collectedMax;

  Timer(String name, Map<String, String> labels) {
    this.count = prototype(name + ".count", labels);
    this.sum = prototype(name + ".sum.seconds", labels);
    this.max = prototype(name + ".max.seconds", labels);
  }

  public void record(Duration duration) {
    record(duration.toNanos());
  }

  /** Records one observation; a negative duration (a clock that stepped back) counts as 0. */
  public void record(long nanos) {
    long n = Math.max(0, nanos);
    observations.increment();
    totalNanos.add(n);
    maxNanos.accumulateAndGet(n, Math::max);
  }

  /** Runs {@code work} and records how long it took, also when it throws. */
  public void time(Runnable work) {
    long start = System.nanoTime();
    try {
      work.run();
    } finally {
      record(System.nanoTime() - start);
    }
  }

  /** Observations so far. */
  public long count() {
    return observations.sum();
  }

  @Override
  void collect(long timestampMs, List<Sample> out) {
    collectedMax = maxNanos.getAndSet(0);
    add(out, count, timestampMs, observations.sum());
    add(out, sum, timestampMs, totalNanos.sum() / 1e9);
    add(out, max, timestampMs, collectedMax / 1e9);
  }

  @Override
  void unsent() {
    maxNanos.accumulateAndGet(collectedMax, Math::max);
  }
}
