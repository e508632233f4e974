package io.feitian.shennong.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the master holds for a subscriber that does not keep up: only the newest value per key
 * (group, or series for RAW), with a count of the values it replaced, so a slow subscriber costs
 * a bounded map instead of a growing queue and never holds back the agents or anyone else.
 *
 * <p>Every update offered gets the next sequence number (the first is 1). {@link #drain()} hands
 * over everything pending as one batch carrying the newest sequence and how many updates it folds
 * together, which is what a {@code SubscriptionUpdate} says. Update-wide facts (a gap) are the
 * caller's to keep: the newest one applies to the batch.
 *
 * @param <K> the key of a value: a group, or a series
 * @param <V> the value
 */
public final class Coalescer<K, V> {
  /** A pending value: the newest for its key, from update {@code sequence}, replacing {@code coalesced} older ones. */
  public record Pending<K, V>(K key, V value, long sequence, long coalesced) {}

  /** What a subscriber receives at once: its values, the newest sequence, and the updates folded in beyond one. */
  public record Batch<K, V>(List<Pending<K, V>> values, long sequence, long coalescedUpdates) {}

  private static final class Slot<V> {
    V value;
    long sequence;
    long coalesced;
  }

  private final int maxKeys;
  private final Map<K, Slot<V>> pending = new LinkedHashMap<>();
  private long sequence;
  private long updatesPending;
  private long dropped;
  private long refused;

  /** Holds at most {@code maxKeys} keys; a new key beyond them is refused and counted. */
  public Coalescer(int maxKeys) {
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be positive, got " + maxKeys);
    }
    this.maxKeys = maxKeys;
  }

  /** Adds one update (possibly empty: a window of silence still advances the sequence); returns its sequence. */
  public long offer(Map<K, V> update) {
    sequence++;
    updatesPending++;
    for (Map.Entry<K, V> e : update.entrySet()) {
      Slot<V> slot = pending.get(e.getKey());
      if (slot == null) {
        if (pending.size() >= maxKeys) {
          refused++;
          continue;
        }
        slot = new Slot<>();
        pending.put(e.getKey(), slot);
      } else {
        slot.coalesced++;
        dropped++;
      }
      slot.value = e.getValue();
      slot.sequence = sequence;
    }
    return sequence;
  }

  /** Whether an update waits to be sent. */
  public boolean hasPending() {
    return updatesPending > 0;
  }

  /** Everything pending, in the order keys first arrived; empties the coalescer. Null when nothing waits. */
  public Batch<K, V> drain() {
    if (updatesPending == 0) {
      return null;
    }
    List<Pending<K, V>> values = new ArrayList<>(pending.size());
    pending.forEach((k, s) -> values.add(new Pending<>(k, s.value, s.sequence, s.coalesced)));
    Batch<K, V> batch = new Batch<>(values, sequence, updatesPending - 1);
    pending.clear();
    updatesPending = 0;
    return batch;
  }

  /** Values replaced by newer ones before they were sent, in all. */
  public long dropped() {
    return dropped;
  }

  /** Values refused because {@code maxKeys} keys were pending, in all. */
  public long refused() {
    return refused;
  }
}
