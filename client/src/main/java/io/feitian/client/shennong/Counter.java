package io.feitian.client.shennong;

import io.feitian.proto.shennong.v1.Sample;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * A cumulative count, published at every flush as its total since the writer started (as
 * Prometheus counters are), so that a RATE over a window works and a lost flush loses nothing:
 * the next one carries the total. The agent computes increases and takes a decrease (this
 * process restarted) as a reset. Updates are lock-free and never block.
 */
public final class Counter extends Meter {
  private final Sample prototype;
  private final DoubleAdder total = new DoubleAdder();

  Counter(String name, Map<String, String> labels) {
    this.prototype = prototype(name, labels);
  }

  public void increment() {
    total.add(1);
  }

  /**
   * Adds {@code amount}, which must be finite and not negative (a counter never goes down).
   *
   * @throws IllegalArgumentException for a negative or non-finite amount
   */
  public void increment(double amount) {
    if (!(amount >= 0) || Double.isInfinite(amount)) {
      throw new IllegalArgumentException("a counter increment must be finite and not negative, got " + amount
          + " for " + prototype.getName());
    }
    total.add(amount);
  }

  /** The total so far. */
  public double count() {
    return total.sum();
  }

  @Override
  void collect(long timestampMs, List<Sample> out) {
    add(out, prototype, timestampMs, total.sum());
  }
}
