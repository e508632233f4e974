package io.feitian.common.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter for reconnecting to a leader: delays double
 * from {@code initial} up to {@code max}, and each is drawn from the upper
 * half of its range, so a thousand peers cut off by the same failover
 * neither retry in lockstep nor wait longer than the ceiling. Not thread-safe.
 */
public final class Backoff {
  private final long initialMillis;
  private final long maxMillis;
  private int failures;

  public Backoff(Duration initial, Duration max) {
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("initial backoff must be positive, got " + initial);
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("max backoff " + max + " is below the initial " + initial);
    }
    this.initialMillis = initial.toMillis();
    this.maxMillis = max.toMillis();
  }

  /** The pause before the next attempt; each call counts one more failure. */
  public long nextDelayMillis() {
    long ceiling = Math.min(maxMillis, initialMillis << Math.min(failures, 30));
    failures++;
    long half = ceiling / 2;
    return half + ThreadLocalRandom.current().nextLong(ceiling - half + 1);
  }

  /** An attempt succeeded: the next failure starts from the initial delay again. */
  public void reset() {
    failures = 0;
  }
}
