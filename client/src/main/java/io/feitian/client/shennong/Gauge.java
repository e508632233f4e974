package io.feitian.client.shennong;

import io.feitian.proto.shennong.v1.Sample;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A value that goes up and down, published at every flush as the newest value set. Nothing is
 * published before the first {@link #set}, nor while the value is not finite (the agent refuses
 * NaN and infinities). While the agent is unreachable only the newest value is kept.
 */
public final class Gauge extends Meter {
  private final Sample prototype;
  /** The value's bits: an atomic double without a lock. */
  private final AtomicLong bits = new AtomicLong(Double.doubleToRawLongBits(Double.NaN));

  Gauge(String name, Map<String, String> labels) {
    this.prototype = prototype(name, labels);
  }

  public void set(double value) {
    bits.set(Double.doubleToRawLongBits(value));
  }

  /** The newest value set (NaN before the first). */
  public double value() {
    return Double.longBitsToDouble(bits.get());
  }

  @Override
  void collect(long timestampMs, List<Sample> out) {
    add(out, prototype, timestampMs, value());
  }
}
