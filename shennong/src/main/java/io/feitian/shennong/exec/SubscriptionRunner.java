package io.feitian.shennong.exec;

import io.feitian.proto.shennong.v1.AddSubscription;
import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.PartialReport;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.proto.shennong.v1.WriteResponse;
import io.feitian.shennong.ops.AgentEvaluator;
import io.feitian.shennong.ops.Evaluation;
import io.feitian.shennong.ops.Partial;
import io.feitian.shennong.ops.RawSamples;
import io.feitian.shennong.ops.WindowQuery;
import io.feitian.shennong.select.EventSelector;
import io.feitian.shennong.select.Selector;
import io.feitian.shennong.series.EventLog;
import io.feitian.shennong.series.SeriesKey;
import io.feitian.shennong.series.SeriesStore;
import io.feitian.shennong.wire.Ingest;
import io.feitian.shennong.wire.PartialProtos;
import io.feitian.shennong.wire.QueryProtos;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An agent's subscriptions and its store, driven by one thread: the master's commands
 * ({@link #add}, {@link #remove}, {@link #clear}), writes ({@link #write}) and the clock
 * ({@link #runDue}, {@link #nextDueMs}). Results go to the {@link Outbox} as PartialReports.
 *
 * <p>A windowed subscription reports every window from the one its master named first, each
 * {@code evaluationDelayMs} after the window's end (samples stamped up to the end have had that
 * long to arrive), and reports empty windows too: the master tells silence from a lost agent by
 * the report. An agent that fell behind (a long pause) reports the windows it missed in order, but
 * none the master has given up on ({@code reportGraceMs} after their end): it skips to the first
 * window still wanted. A window that began before the agent started is marked incomplete (at least
 * one series): the agent did not see all of it, whatever it holds. A RAW subscription's first report holds the newest sample of every matched
 * series; then each write's accepted samples that match go up as one report. Events are kept in an
 * {@link EventLog}: an events subscription's first report holds the matching events it still holds
 * stamped later than the request's {@code events_since_ms}, oldest first (sent even when empty, so
 * the master knows this agent's part of the first message is in); then each write's accepted events
 * that match go up.
 */
public final class SubscriptionRunner {
  /** An events subscription's first report stays under this (a master reads at most 4 MiB); older events are left out. */
  public static final long FIRST_EVENTS_MAX_BYTES = 3L * 1024 * 1024;

  /** Where results go; called on the driving thread. */
  public interface Outbox {
    void report(PartialReport report);

    void refused(String subscriptionId, String reason);
  }

  private sealed interface Running permits Windowed, RawMetrics, RawEvents {}

  private static final class Windowed implements Running {
    final WindowQuery query;
    long nextEndMs;
    long sequence;

    Windowed(WindowQuery query, long firstEndMs) {
      this.query = query;
      this.nextEndMs = firstEndMs;
    }
  }

  private static final class RawMetrics implements Running {
    final Selector selector;
    long sequence;
    PartialReport.Builder pending;

    RawMetrics(Selector selector) {
      this.selector = selector;
    }
  }

  private static final class RawEvents implements Running {
    final EventSelector selector;
    long sequence;

    RawEvents(EventSelector selector) {
      this.selector = selector;
    }
  }

  private final SeriesStore store;
  private final EventLog events;
  private final long evaluationDelayMs;
  private final long startedAtMs;
  private final Outbox out;
  private long reportGraceMs;
  private final Map<String, Running> running = new LinkedHashMap<>();

  /**
   * @param evaluationDelayMs how long after a window's end it is evaluated
   * @param startedAtMs when the agent started: it saw nothing before
   */
  public SubscriptionRunner(SeriesStore store, EventLog events, long evaluationDelayMs, long startedAtMs,
      Outbox out) {
    if (evaluationDelayMs < 0) {
      throw new IllegalArgumentException("evaluation delay must not be negative, got " + evaluationDelayMs);
    }
    this.store = store;
    this.events = events;
    this.evaluationDelayMs = evaluationDelayMs;
    this.startedAtMs = startedAtMs;
    this.reportGraceMs = evaluationDelayMs + 1;
    this.out = out;
  }

  /**
   * A new master session: its subscriptions come next. {@code reportGraceMs} is how long after a
   * window's end that master still takes its report (at least the evaluation delay is assumed, or
   * no window would ever be wanted).
   */
  public void startSession(long reportGraceMs) {
    clear();
    this.reportGraceMs = Math.max(reportGraceMs, evaluationDelayMs + 1);
  }

  public SeriesStore store() {
    return store;
  }

  public EventLog events() {
    return events;
  }

  /** Starts a subscription the master pushed; one it cannot run is refused through the outbox. */
  public void add(AddSubscription add, long nowMs) {
    String id = add.getSubscriptionId();
    SubscribeRequest request = add.getRequest();
    Running r;
    long eventsSinceMs = 0;
    try {
      if (QueryProtos.isEvents(request)) {
        QueryProtos.EventQuery query = QueryProtos.events(request, nowMs);
        r = new RawEvents(query.selector());
        eventsSinceMs = query.sinceMs();
      } else {
        WindowQuery query = QueryProtos.metrics(request);
        if (query.isRaw()) {
          r = new RawMetrics(query.selector());
        } else if (query.windowMs() > store.limits().retentionMs()) {
          throw new IllegalArgumentException("window_ms " + query.windowMs() + " exceeds this agent's retention "
              + store.limits().retentionMs());
        } else {
          r = new Windowed(query, query.windowEndAtOrBefore(Math.max(add.getFirstWindowEndMs(), 1)));
        }
      }
    } catch (IllegalArgumentException e) {
      out.refused(id, e.getMessage());
      return;
    }
    running.put(id, r);
    if (r instanceof RawMetrics raw) {
      PartialReport.Builder first = PartialReport.newBuilder().setSubscriptionId(id).setSequence(++raw.sequence)
          .setWindowEndMs(nowMs);
      first.setGroupsOverLimit(RawSamples.newest(store, raw.selector, nowMs,
          (key, ts, value) -> first.addSamples(sample(key, ts, value))));
      out.report(first.build());
    } else if (r instanceof RawEvents ev) {
      EventLog.Selection held = events.since(eventsSinceMs, e -> matches(ev.selector, e), FIRST_EVENTS_MAX_BYTES);
      out.report(PartialReport.newBuilder().setSubscriptionId(id).setSequence(++ev.sequence).setWindowEndMs(nowMs)
          .addAllEvents(held.events()).setEventsOmitted(held.omitted()).build());
    } else if (r instanceof Windowed w) {
      runDue(w, id, nowMs);
    }
  }

  public void remove(String subscriptionId) {
    running.remove(subscriptionId);
  }

  /** Forgets every subscription: its master session ended, and the next master pushes its own. */
  public void clear() {
    running.clear();
  }

  public int size() {
    return running.size();
  }

  /** Applies a write, and sends its matching samples and events to RAW subscriptions. */
  public WriteResponse write(WriteRequest request, long nowMs) {
    boolean rawMetrics = running.values().stream().anyMatch(r -> r instanceof RawMetrics);
    Ingest.Result result = rawMetrics ? Ingest.apply(store, request, this::forward) : Ingest.apply(store, request);
    result.events().forEach(e -> events.add(e, nowMs));
    running.forEach((id, r) -> {
      if (r instanceof RawMetrics raw && raw.pending != null) {
        out.report(raw.pending.setSubscriptionId(id).setSequence(++raw.sequence).setWindowEndMs(nowMs).build());
        raw.pending = null;
      } else if (r instanceof RawEvents ev) {
        List<Event> matched = result.events().stream().filter(e -> matches(ev.selector, e)).toList();
        if (!matched.isEmpty()) {
          out.report(PartialReport.newBuilder().setSubscriptionId(id).setSequence(++ev.sequence)
              .setWindowEndMs(nowMs).addAllEvents(matched).build());
        }
      }
    });
    return result.response();
  }

  private void forward(SeriesKey key, long timestampMs, double value) {
    for (Running r : running.values()) {
      if (r instanceof RawMetrics raw && raw.selector.matches(key.name(), key)) {
        if (raw.pending == null) {
          raw.pending = PartialReport.newBuilder();
        }
        if (raw.pending.getSamplesCount() < WindowQuery.MAX_GROUPS) {
          raw.pending.addSamples(sample(key, timestampMs, value));
        } else {
          raw.pending.setGroupsOverLimit(raw.pending.getGroupsOverLimit() + 1);
        }
      }
    }
  }

  /** Reports every window whose evaluation time has come. */
  public void runDue(long nowMs) {
    running.forEach((id, r) -> {
      if (r instanceof Windowed w) {
        runDue(w, id, nowMs);
      }
    });
  }

  private void runDue(Windowed w, String id, long nowMs) {
    long step = w.query.stepMs();
    long stillWanted = w.query.windowEndAtOrBefore(nowMs - reportGraceMs) + step;
    if (w.nextEndMs < stillWanted) {
      w.nextEndMs = stillWanted; // the master has merged those windows without us
    }
    while (w.nextEndMs + evaluationDelayMs <= nowMs) {
      Evaluation e = AgentEvaluator.evaluate(store, w.query, w.nextEndMs);
      if (w.query.windowStart(w.nextEndMs) < startedAtMs) {
        long series = e.groups().values().stream().mapToLong(Partial::series).sum();
        e = new Evaluation(e.groups(), Math.max(Math.max(e.incompleteSeries(), series), 1), e.groupsOverLimit());
      }
      out.report(PartialProtos.report(id, ++w.sequence, w.nextEndMs, w.query, e));
      w.nextEndMs += step;
    }
  }

  /** When {@link #runDue} has work next, or {@code Long.MAX_VALUE}. */
  public long nextDueMs() {
    long next = Long.MAX_VALUE;
    for (Running r : running.values()) {
      if (r instanceof Windowed w) {
        next = Math.min(next, w.nextEndMs + evaluationDelayMs);
      }
    }
    return next;
  }

  private static boolean matches(EventSelector selector, Event e) {
    return selector.matches(e.getName(), e.getSeverity(), label -> e.getLabelsMap().getOrDefault(label, ""));
  }

  private static Sample sample(SeriesKey key, long timestampMs, double value) {
    return Sample.newBuilder().setName(key.name()).putAllLabels(key.labels()).setTimestampMs(timestampMs)
        .setValue(value).build();
  }
}
