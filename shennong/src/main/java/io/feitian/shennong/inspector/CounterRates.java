package io.feitian.shennong.inspector;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Per-second rates of monotonic counters (bytes read, packets sent, CPU time) from two successive
 * readings of each. The operating system keeps totals; the inspector reports how fast they grow.
 *
 * <ul>
 *   <li>The first reading of a key gives no rate: there is nothing to compare it with.
 *   <li>A counter that went down was reset (a device re-created, a driver reloaded, a 32-bit
 *       counter wrapped): the interval gives no rate rather than a guess, and the new value is the
 *       base for the next one.
 *   <li>An interval of no time (or negative: the caller's clock is monotonic, so only a bug) gives
 *       no rate.
 *   <li>Keys not read between two calls of {@link #forgetUnread()} are forgotten, so the map holds
 *       only what still exists (a process that ended, an interface removed).
 * </ul>
 *
 * Time is passed in (monotonic nanoseconds). Not thread-safe: one sampling thread owns it.
 */
final class CounterRates<K> {
  private record Reading(long value, long atNanos, boolean read) {}

  private final Map<K, Reading> last = new HashMap<>();

  /** The rate per second of {@code key}'s counter since its previous reading, if there is one to give. */
  OptionalDouble rate(K key, long value, long atNanos) {
    Reading previous = last.put(key, new Reading(value, atNanos, true));
    if (previous == null || value < previous.value() || atNanos <= previous.atNanos()) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of((value - previous.value()) * 1e9 / (atNanos - previous.atNanos()));
  }

  /** Forgets the keys not read since the previous call. */
  void forgetUnread() {
    last.values().removeIf(r -> !r.read());
    last.replaceAll((k, r) -> new Reading(r.value(), r.atNanos(), false));
  }

  /** How many keys are held (for tests of forgetting). */
  int size() {
    return last.size();
  }
}
