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
 * <p>A windowed subscription reports every window from the one its master named first, each an
 * evaluation delay after the window's end, so that samples stamped up to the end have had time to
 * arrive. The delay adapts between a least and a most: the largest lag (arrival here minus stamp)
 * of the samples accepted in the last 10 to 20 s, plus the least, kept within the two. A sample
 * that comes later than that still is a <em>late sample</em>: it is in none of the windows already
 * reported, and is counted in the subscription's next report ({@code PartialReport.late_samples},
 * which the master passes on in {@code Gap.late_samples}), never silently left out. It reports
 * empty windows too: the master tells silence from a lost agent by
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
    final long firstStartMs; // samples stamped after it and up to a reported window's end are late
    long nextEndMs;
    long sequence;
    long lateSamples; // since the last report

    Windowed(WindowQuery query, long firstEndMs) {
      this.query = query;
      this.firstStartMs = query.windowStart(firstEndMs);
      this.nextEndMs = firstEndMs;
    }

    long reportedThroughMs() {
      return nextEndMs - query.stepMs();
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
  /** How long the lag of accepted samples counts for the delay: this period and the one before. */
  static final long LAG_PERIOD_MS = 10_000;

  private final long minDelayMs;
  private final long maxDelayMs;
  private final long startedAtMs;
  // The largest lag of the samples accepted in this lag period and in the one before.
  private long lagPeriodStartMs;
  private long lagThisPeriodMs;
  private long lagLastPeriodMs;
  private long writeNowMs; // the time of the write being applied
  private long reportedThroughMs = Long.MIN_VALUE; // no windowed subscription reported a window ending later
  private final Outbox out;
  private long reportGraceMs;
  private final Map<String, Running> running = new LinkedHashMap<>();

  /**
   * A runner whose evaluation delay does not adapt.
   *
   * @param evaluationDelayMs how long after a window's end it is evaluated
   * @param startedAtMs when the agent started: it saw nothing before
   */
  public SubscriptionRunner(SeriesStore store, EventLog events, long evaluationDelayMs, long startedAtMs,
      Outbox out) {
    this(store, events, evaluationDelayMs, evaluationDelayMs, startedAtMs, out);
  }

  /**
   * @param minDelayMs the least evaluation delay, also the margin over the samples' lag
   * @param maxDelayMs the most: whatever the lag, a window is evaluated this long after its end
   * @param startedAtMs when the agent started: it saw nothing before
   */
  public SubscriptionRunner(SeriesStore store, EventLog events, long minDelayMs, long maxDelayMs, long startedAtMs,
      Outbox out) {
    if (minDelayMs < 0 || maxDelayMs < minDelayMs) {
      throw new IllegalArgumentException("evaluation delays must be 0 <= least <= most, got " + minDelayMs + " and "
          + maxDelayMs);
    }
    this.store = store;
    this.events = events;
    this.minDelayMs = minDelayMs;
    this.maxDelayMs = maxDelayMs;
    this.startedAtMs = startedAtMs;
    this.lagPeriodStartMs = startedAtMs;
    this.reportGraceMs = maxDelayMs + 1;
    this.out = out;
  }

  /** How long after a window's end it is evaluated now (see the class comment). */
  public long evaluationDelayMs(long nowMs) {
    if (nowMs - lagPeriodStartMs >= LAG_PERIOD_MS) {
      lagLastPeriodMs = nowMs - lagPeriodStartMs < 2 * LAG_PERIOD_MS ? lagThisPeriodMs : 0;
      lagThisPeriodMs = 0;
      lagPeriodStartMs = nowMs;
    }
    long lag = Math.max(lagThisPeriodMs, lagLastPeriodMs);
    return Math.min(maxDelayMs, Math.max(minDelayMs, lag + minDelayMs));
  }

  /**
   * A new master session: its subscriptions come next. {@code reportGraceMs} is how long after a
   * window's end that master still takes its report (at least the evaluation delay is assumed, or
   * no window would ever be wanted).
   */
  public void startSession(long reportGraceMs) {
    clear();
    this.reportGraceMs = Math.max(reportGraceMs, maxDelayMs + 1);
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
      runDue(w, id, nowMs, evaluationDelayMs(nowMs));
    }
  }

  public void remove(String subscriptionId) {
    running.remove(subscriptionId);
  }

  /** Forgets every subscription: its master session ended, and the next master pushes its own. */
  public void clear() {
    running.clear();
    reportedThroughMs = Long.MIN_VALUE;
  }

  public int size() {
    return running.size();
  }

  /**
   * Applies a write, and sends its matching samples and events to RAW subscriptions; notes its
   * samples' lag and counts those late for a window already reported.
   */
  public WriteResponse write(WriteRequest request, long nowMs) {
    writeNowMs = nowMs;
    evaluationDelayMs(nowMs); // starts a new lag period when one is over
    Ingest.Result result = running.isEmpty() ? Ingest.apply(store, request)
        : Ingest.apply(store, request, this::accepted);
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

  /** An accepted sample: its lag noted, counted if late for a windowed subscription, forwarded to RAW ones. */
  private void accepted(SeriesKey key, long timestampMs, double value) {
    lagThisPeriodMs = Math.max(lagThisPeriodMs, writeNowMs - timestampMs);
    boolean mayBeLate = timestampMs <= reportedThroughMs;
    for (Running r : running.values()) {
      if (r instanceof Windowed w) {
        if (mayBeLate && timestampMs <= w.reportedThroughMs() && timestampMs > w.firstStartMs
            && w.query.selector().matches(key.name(), key)) {
          w.lateSamples++;
        }
      } else if (r instanceof RawMetrics raw && raw.selector.matches(key.name(), key)) {
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
    long delayMs = evaluationDelayMs(nowMs);
    running.forEach((id, r) -> {
      if (r instanceof Windowed w) {
        runDue(w, id, nowMs, delayMs);
      }
    });
  }

  private void runDue(Windowed w, String id, long nowMs, long delayMs) {
    long step = w.query.stepMs();
    long stillWanted = w.query.windowEndAtOrBefore(nowMs - reportGraceMs) + step;
    if (w.nextEndMs < stillWanted) {
      w.nextEndMs = stillWanted; // the master has merged those windows without us
    }
    while (w.nextEndMs + delayMs <= nowMs) {
      Evaluation e = AgentEvaluator.evaluate(store, w.query, w.nextEndMs);
      if (w.query.windowStart(w.nextEndMs) < startedAtMs) {
        long series = e.groups().values().stream().mapToLong(Partial::series).sum();
        e = new Evaluation(e.groups(), Math.max(Math.max(e.incompleteSeries(), series), 1), e.groupsOverLimit());
      }
      PartialReport report = PartialProtos.report(id, ++w.sequence, w.nextEndMs, w.query, e);
      if (w.lateSamples > 0) {
        report = report.toBuilder().setLateSamples(w.lateSamples).build();
        w.lateSamples = 0;
      }
      out.report(report);
      w.nextEndMs += step;
      reportedThroughMs = Math.max(reportedThroughMs, w.reportedThroughMs());
    }
  }

  /**
   * When {@link #runDue} has work next, or {@code Long.MAX_VALUE}; with the delay as it is at
   * {@code nowMs} (a delay that grows meanwhile makes runDue wait: ask again after it).
   */
  public long nextDueMs(long nowMs) {
    long delayMs = evaluationDelayMs(nowMs);
    long next = Long.MAX_VALUE;
    for (Running r : running.values()) {
      if (r instanceof Windowed w) {
        next = Math.min(next, w.nextEndMs + delayMs);
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
