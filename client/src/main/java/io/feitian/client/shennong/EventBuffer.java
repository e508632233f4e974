package io.feitian.client.shennong;

import io.feitian.proto.shennong.v1.Event;
import java.util.Collection;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The events waiting for the agent, at most {@code capacity} of them, counting both those queued
 * and those the flush thread took and has not yet delivered (so an agent that is down never makes
 * the writer hold more). When full, the <b>newest</b> event is dropped and counted: the events
 * that began an incident (usually its cause) are kept rather than its echoes, and dropping the
 * incoming event needs no lock. Lock-free for callers: a compare-and-set on the count, then a
 * lock-free queue.
 */
final class EventBuffer {
  private final int capacity;
  private final ConcurrentLinkedQueue<Event> queue = new ConcurrentLinkedQueue<>();
  /** Queued plus taken and not yet delivered. */
  private final AtomicInteger held = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();

  EventBuffer(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("the event capacity must be positive, got " + capacity);
    }
    this.capacity = capacity;
  }

  /** Queues the event, or drops and counts it when the buffer holds {@code capacity} already. */
  boolean offer(Event event) {
    int h;
    do {
      h = held.get();
      if (h >= capacity) {
        dropped.incrementAndGet();
        return false;
      }
    } while (!held.compareAndSet(h, h + 1));
    queue.add(event);
    return true;
  }

  /** Moves the queued events to {@code out}, oldest first; they stay counted until {@link #release}d. */
  void takeAll(Collection<Event> out) {
    for (Event e = queue.poll(); e != null; e = queue.poll()) {
      out.add(e);
    }
  }

  /** {@code n} taken events were delivered (or refused for good): room for as many new ones. */
  void release(int n) {
    held.addAndGet(-n);
  }

  /** Events dropped because the buffer was full, since the writer started. */
  long dropped() {
    return dropped.get();
  }

  int capacity() {
    return capacity;
  }
}
