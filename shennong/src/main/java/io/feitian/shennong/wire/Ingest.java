package io.feitian.shennong.wire;

import io.feitian.common.app.FieldChecks;
import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.Refusal;
import io.feitian.proto.shennong.v1.RefusalReason;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.SeriesSamples;
import io.feitian.proto.shennong.v1.Severity;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.proto.shennong.v1.WriteResponse;
import io.feitian.shennong.select.EventSelector;
import io.feitian.shennong.series.Admission;
import io.feitian.shennong.series.SeriesKey;
import io.feitian.shennong.series.SeriesStore;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;
import java.util.function.IntToLongFunction;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The agent's write path: a batch checked item by item against data.proto's rules and applied to
 * the store. A bad item is refused and counted; only a bad request as a whole (its source, its
 * size, the shape of a SeriesSamples) is an error, and then nothing of it is applied.
 *
 * <p>Both forms of samples take one path ({@link #admit}): a Sample is a series of one point, a
 * SeriesSamples one of many, whose name and labels are checked and looked up once.
 */
public final class Ingest {
  public static final int MAX_SAMPLES = 100_000;
  public static final int MAX_EVENTS = 10_000;
  public static final int MAX_POINTS_PER_SERIES = 10_000;
  public static final Pattern SOURCE = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");

  private static final FieldChecks CHECKS = new FieldChecks("");

  /** The response, and the events that passed the checks (the daemon forwards them to event subscriptions). */
  public record Result(WriteResponse response, List<Event> events) {}

  /** Told of every sample the store accepted, in request order (the agent forwards them to RAW subscriptions). */
  @FunctionalInterface
  public interface Accepted {
    void sample(SeriesKey key, long timestampMs, double value);
  }

  private Ingest() {}

  public static Result apply(SeriesStore store, WriteRequest request) {
    return apply(store, request, (key, timestampMs, value) -> {});
  }

  public static Result apply(SeriesStore store, WriteRequest request, Accepted accepted) {
    checkShape(request);
    Tally tally = new Tally();
    for (int i = 0; i < request.getSamplesCount(); i++) {
      Sample s = request.getSamples(i);
      admit(store, request.getSource(), Where.sample(i), s.getName(), s.getLabelsMap(), 1, p -> s.getTimestampMs(),
          p -> s.getValue(), accepted, tally);
    }
    for (int i = 0; i < request.getSeriesCount(); i++) {
      SeriesSamples s = request.getSeries(i);
      admit(store, request.getSource(), Where.series(i), s.getName(), s.getLabelsMap(), s.getTimestampsMsCount(),
          s::getTimestampsMs, s::getValues, accepted, tally);
    }
    List<Event> events = new ArrayList<>(request.getEventsCount());
    for (int i = 0; i < request.getEventsCount(); i++) {
      Event e = request.getEvents(i);
      String problem = eventProblem(e);
      if (problem == null) {
        events.add(e);
      } else {
        tally.refuseEvent("events[" + i + "]." + problem);
      }
    }
    return new Result(tally.response(events.size()), events);
  }

  /** Throws, naming the field, when the request as a whole breaks data.proto's rules. */
  private static void checkShape(WriteRequest request) {
    CHECKS.matches("source", request.getSource(), SOURCE);
    long samples = request.getSamplesCount();
    for (int i = 0; i < request.getSeriesCount(); i++) {
      SeriesSamples s = request.getSeries(i);
      int points = s.getTimestampsMsCount();
      String at = "series[" + i + "]";
      if (points != s.getValuesCount()) {
        throw CHECKS.bad(at, "has " + points + " timestamps_ms and " + s.getValuesCount()
            + " values; they must be as many");
      }
      if (points > MAX_POINTS_PER_SERIES) {
        throw CHECKS.bad(at + ".timestamps_ms", "has " + points + " points; at most " + MAX_POINTS_PER_SERIES
            + " are allowed");
      }
      for (int p = 1; p < points; p++) {
        if (s.getTimestampsMs(p) < s.getTimestampsMs(p - 1)) {
          throw CHECKS.bad(at + ".timestamps_ms[" + p + "]", s.getTimestampsMs(p) + " is before timestamps_ms["
              + (p - 1) + "] " + s.getTimestampsMs(p - 1) + "; points go oldest first");
        }
      }
      samples += points;
    }
    if (samples > MAX_SAMPLES) {
      throw request.getSeriesCount() == 0
          ? CHECKS.bad("samples", "has " + samples + " items; at most " + MAX_SAMPLES + " are allowed")
          : CHECKS.bad("series", "and samples hold " + samples + " samples; at most " + MAX_SAMPLES + " are allowed");
    }
    if (request.getEventsCount() > MAX_EVENTS) {
      throw CHECKS.bad("events", "has " + request.getEventsCount() + " items; at most " + MAX_EVENTS
          + " are allowed");
    }
  }

  /**
   * Where the points of one series stood in the request, for the problems that name them: a
   * Sample's fields hold one point, a SeriesSamples' arrays index theirs.
   */
  private record Where(String list, int index, String timestampField, String valueField, boolean indexed) {
    static Where sample(int index) {
      return new Where("samples", index, "timestamp_ms", "value", false);
    }

    static Where series(int index) {
      return new Where("series", index, "timestamps_ms", "values", true);
    }

    String series() {
      return list + "[" + index + "]";
    }

    String timestamp(int point) {
      return field(timestampField, point);
    }

    String value(int point) {
      return field(valueField, point);
    }

    private String field(String name, int point) {
      return series() + "." + name + (indexed ? "[" + point + "]" : "");
    }
  }

  /** Checks and appends the points of one series, each admitted on its own. */
  private static void admit(SeriesStore store, String source, Where at, String name, Map<String, String> labels,
      int points, IntToLongFunction timestamp, IntToDoubleFunction value, Accepted accepted, Tally tally) {
    if (points == 0) {
      return;
    }
    SeriesKey key;
    try {
      key = SeriesKey.of(name, labels);
    } catch (IllegalArgumentException e) {
      tally.refuseSamples(RefusalReason.REFUSAL_REASON_INVALID, points, () -> at.series() + "." + e.getMessage());
      return;
    }
    SeriesStore.Appender appender = store.appender(source, key);
    for (int p = 0; p < points; p++) {
      long t = timestamp.applyAsLong(p);
      double v = value.applyAsDouble(p);
      int point = p;
      if (!Double.isFinite(v)) {
        tally.refuseSamples(RefusalReason.REFUSAL_REASON_INVALID, 1, () -> at.value(point) + " must be finite, got " + v);
        continue;
      }
      if (t <= 0) {
        tally.refuseSamples(RefusalReason.REFUSAL_REASON_INVALID, 1,
            () -> at.timestamp(point) + " must be positive, got " + t);
        continue;
      }
      switch (appender.append(t, v)) {
        case ACCEPTED -> {
          tally.acceptedSamples++;
          accepted.sample(key, t, v);
        }
        case OUT_OF_ORDER -> tally.refuseSamples(RefusalReason.REFUSAL_REASON_OUT_OF_ORDER, 1,
            () -> at.timestamp(point) + " " + t + " is not newer than the newest sample of " + key);
        case SOURCE_SERIES_LIMIT -> tally.refuseSamples(RefusalReason.REFUSAL_REASON_SOURCE_SERIES_LIMIT, 1,
            () -> at.series() + " would be series " + (store.limits().seriesPerSource() + 1) + " of source " + source);
        case STORE_SERIES_LIMIT -> tally.refuseSamples(RefusalReason.REFUSAL_REASON_AGENT_SERIES_LIMIT, 1,
            () -> at.series() + " would be series " + (store.limits().maxSeries() + 1) + " of this agent");
      }
    }
  }

  /** Null when the event keeps data.proto's rules, else the problem, naming the field. */
  static String eventProblem(Event e) {
    try {
      SeriesKey.of(e.getName(), e.getLabelsMap());
    } catch (IllegalArgumentException bad) {
      return bad.getMessage();
    }
    if (e.getSeverity() == Severity.SEVERITY_UNSPECIFIED || e.getSeverity() == Severity.UNRECOGNIZED) {
      return "severity is required";
    }
    if (e.getLabelsMap().containsKey(EventSelector.SEVERITY_LABEL)) {
      return "labels name " + EventSelector.SEVERITY_LABEL + " is reserved for the severity";
    }
    if (e.getTimestampMs() <= 0) {
      return "timestamp_ms must be positive, got " + e.getTimestampMs();
    }
    try {
      CHECKS.maxBytes("message", e.getMessage(), FieldChecks.MAX_TEXT_BYTES);
    } catch (IllegalArgumentException bad) {
      return bad.getMessage();
    }
    return null;
  }

  /** Counts per reason, and the first problem of each. */
  private static final class Tally {
    int acceptedSamples;
    final Map<RefusalReason, Refusal.Builder> refusals = new EnumMap<>(RefusalReason.class);

    void refuseSamples(RefusalReason reason, int count, Supplier<String> problem) {
      Refusal.Builder r = refusals.get(reason);
      if (r == null) {
        r = refusal(reason, problem.get());
      }
      r.setSamples(r.getSamples() + count);
    }

    void refuseEvent(String problem) {
      Refusal.Builder r = refusal(RefusalReason.REFUSAL_REASON_INVALID, problem);
      r.setEvents(r.getEvents() + 1);
    }

    private Refusal.Builder refusal(RefusalReason reason, String problem) {
      return refusals.computeIfAbsent(reason, k -> Refusal.newBuilder().setReason(k).setFirst(problem));
    }

    WriteResponse response(int acceptedEvents) {
      WriteResponse.Builder b = WriteResponse.newBuilder().setAcceptedSamples(acceptedSamples)
          .setAcceptedEvents(acceptedEvents);
      refusals.values().forEach(b::addRefusals);
      return b.build();
    }
  }
}
