package io.feitian.shennong.wire;

import io.feitian.common.app.FieldChecks;
import io.feitian.proto.shennong.v1.Kind;
import io.feitian.proto.shennong.v1.Operation;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.feitian.shennong.ops.WindowQuery;
import io.feitian.shennong.select.EventSelector;
import io.feitian.shennong.select.Selector;

/**
 * A SubscribeRequest checked into what the cores run. The first bad field is named
 * ({@code selector: ... at 17}, {@code window_ms must be ...}); the master answers it with
 * INVALID_ARGUMENT before anything is held for the subscriber.
 */
public final class QueryProtos {
  private static final FieldChecks CHECKS = new FieldChecks("");
  /** How far ahead of the checker's clock events_since_ms may be: a resuming subscriber's writers' clocks may lead. */
  public static final long MAX_SINCE_AHEAD_MS = 24L * 3600 * 1000;

  /** An events subscription: which events, and only those stamped later than {@code sinceMs} from the agents' logs. */
  public record EventQuery(EventSelector selector, long sinceMs) {}

  private QueryProtos() {}

  /** Whether the request reads events (else metrics; an unset kind means metrics). */
  public static boolean isEvents(SubscribeRequest request) {
    if (request.getKind() == Kind.UNRECOGNIZED) {
      throw CHECKS.bad("kind", "must be METRICS or EVENTS, got " + request.getKindValue());
    }
    return request.getKind() == Kind.KIND_EVENTS;
  }

  /** A metrics subscription. */
  public static WindowQuery metrics(SubscribeRequest request) {
    if (isEvents(request)) {
      throw CHECKS.bad("kind", "is EVENTS; not a metrics subscription");
    }
    Selector selector = Selector.parse(request.getSelector());
    if (request.getEventsSinceMs() != 0) {
      throw CHECKS.bad("events_since_ms", "is for events subscriptions only; must be 0 for metrics, got "
          + request.getEventsSinceMs());
    }
    return new WindowQuery(selector, request.getOperation(), request.getGroupByList(), request.getWindowMs(),
        request.getStepMs(), request.getQuantilesList());
  }

  /** An events subscription: RAW only, nothing windowed; {@code nowMs} bounds events_since_ms. */
  public static EventQuery events(SubscribeRequest request, long nowMs) {
    if (!isEvents(request)) {
      throw CHECKS.bad("kind", "is METRICS; not an events subscription");
    }
    EventSelector selector = EventSelector.parse(request.getSelector());
    if (request.getOperation() != Operation.OPERATION_RAW) {
      throw CHECKS.bad("operation", "must be RAW for events (events are forwarded, not aggregated)");
    }
    WindowQuery.checkRaw(request.getWindowMs(), request.getStepMs(), request.getGroupByList(),
        request.getQuantilesList());
    long since = request.getEventsSinceMs();
    if (since < 0 || since > nowMs + MAX_SINCE_AHEAD_MS) {
      throw CHECKS.bad("events_since_ms", "must be 0 or a time in ms since the epoch at most a day ahead, got "
          + since);
    }
    return new EventQuery(selector, since);
  }

  /** The request as the master pushes it to agents, from a checked query. */
  public static SubscribeRequest request(WindowQuery query) {
    return SubscribeRequest.newBuilder().setSelector(query.selector().toString()).setKind(Kind.KIND_METRICS)
        .setOperation(query.operation()).addAllQuantiles(query.quantiles()).addAllGroupBy(query.groupBy())
        .setWindowMs(query.windowMs()).setStepMs(query.stepMs()).build();
  }
}
