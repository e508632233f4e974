package io.feitian.shennong.wire;

import io.feitian.common.app.FieldChecks;
import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.Refusal;
import io.feitian.proto.shennong.v1.RefusalReason;
import io.feitian.proto.shennong.v1.Sample;
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
import java.util.regex.Pattern;

/**
 * The agent's write path: a batch checked item by item against data.proto's rules and applied to
 * the store. A bad item is refused and counted; only a bad request as a whole (its source, its
 * size) is an error, and then nothing of it is applied.
 */
public final class Ingest {
  public static final int MAX_SAMPLES = 100_000;
  public static final int MAX_EVENTS = 10_000;
  public static final Pattern SOURCE = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");

  private static final FieldChecks CHECKS = new FieldChecks("");

  /** The response, and the events that passed the checks (the daemon forwards them to event subscriptions). */
  public record Result(WriteResponse response, List<Event> events) {}

  /** Told of every sample the store accepted, in request order (the agent forwards them to RAW subscriptions). */
  @FunctionalInterface
  public interface Accepted {
    void sample(SeriesKey key, Sample sample);
  }

  private Ingest() {}

  public static Result apply(SeriesStore store, WriteRequest request) {
    return apply(store, request, (key, sample) -> {});
  }

  public static Result apply(SeriesStore store, WriteRequest request, Accepted accepted) {
    CHECKS.matches("source", request.getSource(), SOURCE);
    if (request.getSamplesCount() > MAX_SAMPLES || request.getEventsCount() > MAX_EVENTS) {
      boolean samples = request.getSamplesCount() > MAX_SAMPLES;
      throw CHECKS.bad(samples ? "samples" : "events", "has " + (samples ? request.getSamplesCount()
          : request.getEventsCount()) + " items; at most " + (samples ? MAX_SAMPLES : MAX_EVENTS) + " are allowed");
    }
    Tally tally = new Tally();
    for (int i = 0; i < request.getSamplesCount(); i++) {
      Sample s = request.getSamples(i);
      String at = "samples[" + i + "]";
      SeriesKey key;
      try {
        key = SeriesKey.of(s.getName(), s.getLabelsMap());
      } catch (IllegalArgumentException e) {
        tally.refuseSample(RefusalReason.REFUSAL_REASON_INVALID, at + "." + e.getMessage());
        continue;
      }
      String problem = !Double.isFinite(s.getValue()) ? at + ".value must be finite, got " + s.getValue()
          : s.getTimestampMs() <= 0 ? at + ".timestamp_ms must be positive, got " + s.getTimestampMs() : null;
      if (problem != null) {
        tally.refuseSample(RefusalReason.REFUSAL_REASON_INVALID, problem);
        continue;
      }
      Admission a = store.append(request.getSource(), key, s.getTimestampMs(), s.getValue());
      switch (a) {
        case ACCEPTED -> {
          tally.acceptedSamples++;
          accepted.sample(key, s);
        }
        case OUT_OF_ORDER -> tally.refuseSample(RefusalReason.REFUSAL_REASON_OUT_OF_ORDER,
            at + ".timestamp_ms " + s.getTimestampMs() + " is not newer than the newest sample of " + key);
        case SOURCE_SERIES_LIMIT -> tally.refuseSample(RefusalReason.REFUSAL_REASON_SOURCE_SERIES_LIMIT,
            at + " would be series " + (store.limits().seriesPerSource() + 1) + " of source " + request.getSource());
        case STORE_SERIES_LIMIT -> tally.refuseSample(RefusalReason.REFUSAL_REASON_AGENT_SERIES_LIMIT,
            at + " would be series " + (store.limits().maxSeries() + 1) + " of this agent");
      }
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

    void refuseSample(RefusalReason reason, String problem) {
      Refusal.Builder r = refusal(reason, problem);
      r.setSamples(r.getSamples() + 1);
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
