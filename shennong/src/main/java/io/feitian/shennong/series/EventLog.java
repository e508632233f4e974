package io.feitian.shennong.series;

import io.feitian.proto.shennong.v1.Event;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;

/**
 * The events an agent still holds, so that a new events subscription starts with the recent past
 * and one that resumes after an interruption is sent what it missed. Events are kept in the order
 * they arrived, each for {@code retentionMs} after its arrival (by the agent's clock, whatever the
 * event's own stamp), and at most {@code maxEvents}: the oldest arrival is dropped first, and
 * counted ({@link #dropped()}), when one more arrives.
 *
 * <p>Held by arrival rather than by stamp because a writer that was cut off from its agent sends
 * its buffered events late: they are kept as long as any other. Read by stamp ({@link #since}):
 * a subscriber wants them in the order they happened.
 *
 * <p>Cost: an event is held as the message it arrived as (a few hundred bytes for a typical
 * event; 10,000 at the default limit are a few MB). {@link #add} is amortized O(1); {@link #since}
 * scans and sorts what it returns.
 */
public final class EventLog {
  /** What {@link #since} returns: events oldest first, and how many older matching ones did not fit. */
  public record Selection(List<Event> events, long omitted) {}

  private record Held(long arrivedMs, Event event) {}

  private static final Comparator<Event> BY_STAMP = Comparator.comparingLong(Event::getTimestampMs);

  private final long retentionMs;
  private final int maxEvents;
  private final Deque<Held> held = new ArrayDeque<>();
  private long dropped;

  public EventLog(long retentionMs, int maxEvents) {
    if (retentionMs < 1 || maxEvents < 1) {
      throw new IllegalArgumentException("retentionMs and maxEvents must be positive, got " + retentionMs + " and "
          + maxEvents);
    }
    this.retentionMs = retentionMs;
    this.maxEvents = maxEvents;
  }

  /** Keeps an event that arrived now; drops the oldest when the log is full. */
  public void add(Event event, long nowMs) {
    evictExpired(nowMs);
    if (held.size() == maxEvents) {
      held.removeFirst();
      dropped++;
    }
    held.addLast(new Held(nowMs, event));
  }

  /**
   * Forgets events that arrived more than the retention ago. A clock stepping back keeps them
   * longer; one stepping forward forgets them sooner: arrival times come from the same clock.
   */
  public void evictExpired(long nowMs) {
    while (!held.isEmpty() && nowMs - held.peekFirst().arrivedMs() > retentionMs) {
      held.removeFirst();
    }
  }

  /**
   * The held events stamped later than {@code sinceMs} that match, oldest stamp first (equal
   * stamps in arrival order), whose serialized sizes add up to at most {@code maxBytes}: when they
   * do not all fit, the newest are kept and the older ones counted as omitted.
   */
  public Selection since(long sinceMs, Predicate<Event> matches, long maxBytes) {
    List<Event> found = new ArrayList<>();
    for (Held h : held) {
      if (h.event().getTimestampMs() > sinceMs && matches.test(h.event())) {
        found.add(h.event());
      }
    }
    found.sort(BY_STAMP); // stable: equal stamps stay in arrival order
    long bytes = 0;
    int first = found.size();
    while (first > 0 && bytes + found.get(first - 1).getSerializedSize() <= maxBytes) {
      first--;
      bytes += found.get(first).getSerializedSize();
    }
    return new Selection(List.copyOf(found.subList(first, found.size())), first);
  }

  public int size() {
    return held.size();
  }

  /** Events dropped before their retention because the log was full, in all. */
  public long dropped() {
    return dropped;
  }
}
