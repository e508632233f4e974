package io.feitian.client.shennong;

import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.Refusal;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.proto.shennong.v1.WriteResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One flush of a writer, run on its flush thread only: every meter's sample at one timestamp and
 * the queued events, split into requests and sent in order. What happens when the agent does not
 * answer is decided here:
 *
 * <ul>
 *   <li>Samples are not kept: counters and timers are cumulative and gauges keep their newest
 *       value, so the next flush carries everything that matters. A timer's max is kept.
 *   <li>Events are kept (within the buffer's capacity) and sent again at the next flush. An event
 *       whose request timed out after the agent took it is sent twice: events are at least once.
 *   <li>One WARN when an outage begins and one INFO when it ends, never one per retry.
 *   <li>A request the agent refuses as a whole (INVALID_ARGUMENT) cannot succeed later: it is
 *       dropped and logged, at most once a minute, as are the agent's refusals of single items.
 * </ul>
 *
 * Timestamps are the wall clock, but always after the previous flush's (max(now, last + 1)), so a
 * clock stepping back never makes the agent refuse a sample as out of order.
 */
final class Flusher {
  private static final Logger log = LoggerFactory.getLogger(Flusher.class);
  private static final long LOG_INTERVAL_MS = 60_000;

  /** The RPC, as the flush needs it; the writer implements it with a gRPC stub. */
  interface Sender {
    /** Sends one request with a deadline; throws StatusRuntimeException when it fails. */
    WriteResponse write(WriteRequest request, Duration deadline);

    /** Called before a flush while the agent is unreachable: try to connect again now. */
    default void reconnect() {}
  }

  private final String agent;
  private final String source;
  private final Registry registry;
  private final EventBuffer buffer;
  private final Sender sender;
  private final LongSupplier wallClockMs;
  /** Events taken from the buffer and not yet delivered, oldest first. */
  private final ArrayDeque<Event> pending = new ArrayDeque<>();
  private final LogLimiter refusals = new LogLimiter(LOG_INTERVAL_MS);
  private final LogLimiter rejections = new LogLimiter(LOG_INTERVAL_MS);
  private final AtomicLong refusedSamples = new AtomicLong();
  private final AtomicLong refusedEvents = new AtomicLong();
  private long lastTimestampMs;
  /** When the current outage began (wall clock), or -1 while the agent answers. */
  private long outageSinceMs = -1;
  private long droppedBeforeOutage;

  Flusher(String agent, String source, Registry registry, EventBuffer buffer, Sender sender, LongSupplier wallClockMs) {
    this.agent = agent;
    this.source = source;
    this.registry = registry;
    this.buffer = buffer;
    this.sender = sender;
    this.wallClockMs = wallClockMs;
  }

  /** Collects and sends; every call gets {@code deadline}. Never throws for the agent's sake. */
  void flush(Duration deadline) {
    long now = wallClockMs.getAsLong();
    long timestamp = Math.max(now, lastTimestampMs + 1);
    lastTimestampMs = timestamp;
    List<Sample> samples = new ArrayList<>();
    registry.collect(timestamp, samples);
    buffer.takeAll(pending);
    if (outageSinceMs >= 0) {
      sender.reconnect();
    }
    for (Batches.Batch b : Batches.split(source, samples, new ArrayList<>(pending), Batches.MAX_SAMPLES,
        Batches.MAX_EVENTS, Batches.MAX_BYTES)) {
      WriteResponse response;
      try {
        response = sender.write(b.request(), deadline);
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
          rejected(b, e.getStatus(), now);
          continue;
        }
        registry.unsent();
        unreachable(e.getStatus(), now);
        return;
      }
      delivered(b.events());
      refused(response, now);
    }
    reachable(now);
  }

  private void delivered(int events) {
    for (int i = 0; i < events; i++) {
      pending.poll();
    }
    buffer.release(events);
  }

  private void rejected(Batches.Batch b, Status status, long now) {
    delivered(b.events());
    refusedSamples.addAndGet(b.request().getSamplesCount());
    refusedEvents.addAndGet(b.events());
    long more = rejections.occurred(now);
    if (more != LogLimiter.NOT_NOW) {
      log.warn("shennong agent {} refused a whole request of source {} ({} samples, {} events): {}; dropped{}",
          agent, source, b.request().getSamplesCount(), b.events(), status.getDescription(), LogLimiter.more(more));
    }
  }

  private void refused(WriteResponse response, long now) {
    for (Refusal r : response.getRefusalsList()) {
      refusedSamples.addAndGet(r.getSamples());
      refusedEvents.addAndGet(r.getEvents());
      long more = refusals.occurred(now);
      if (more != LogLimiter.NOT_NOW) {
        log.warn("shennong agent {} refused {} samples and {} events of source {} ({}), e.g. {}{}", agent,
            r.getSamples(), r.getEvents(), source, r.getReason(), r.getFirst(), LogLimiter.more(more));
      }
    }
  }

  private void unreachable(Status status, long now) {
    if (outageSinceMs >= 0) {
      return;
    }
    outageSinceMs = now;
    droppedBeforeOutage = buffer.dropped();
    log.warn("shennong agent {} does not answer ({}: {}); source {} keeps counting and retries every flush,"
        + " keeping up to {} events meanwhile (logged again when it answers)", agent, status.getCode(),
        status.getDescription(), source, buffer.capacity());
  }

  private void reachable(long now) {
    if (outageSinceMs < 0) {
      return;
    }
    log.info("shennong agent {} answers again after {} s; source {} dropped {} events meanwhile", agent,
        Math.max(0, now - outageSinceMs) / 1000, source, buffer.dropped() - droppedBeforeOutage);
    outageSinceMs = -1;
  }

  /** Samples the agent refused since the writer started (by item, or in requests refused whole). */
  long refusedSamples() {
    return refusedSamples.get();
  }

  /** Events the agent refused since the writer started. */
  long refusedEvents() {
    return refusedEvents.get();
  }
}
