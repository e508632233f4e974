package io.feitian.shennong.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.proto.shennong.v1.Kind;
import io.feitian.proto.shennong.v1.Operation;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.feitian.shennong.ops.WindowQuery;
import org.junit.jupiter.api.Test;

class QueryProtosTest {
  private static final long NOW = 1_700_000_000_000L;
  private static final SubscribeRequest EVENTS = SubscribeRequest.newBuilder().setKind(Kind.KIND_EVENTS)
      .setSelector("job.*").setOperation(Operation.OPERATION_RAW).build();

  private static final SubscribeRequest AVG = SubscribeRequest.newBuilder()
      .setSelector("cpu.usage{node=\"n1\",role=~\"task.*\"}").setOperation(Operation.OPERATION_AVG)
      .addGroupBy("node").setWindowMs(10_000).setStepMs(1000).build();

  @Test
  void aMetricsRequestBecomesAQueryAndGoesBackToAgentsUnchanged() {
    WindowQuery q = QueryProtos.metrics(AVG);
    assertThat(q.groupBy()).containsExactly("node");
    SubscribeRequest pushed = QueryProtos.request(q);
    assertThat(pushed.getKind()).isEqualTo(Kind.KIND_METRICS);
    assertThat(QueryProtos.metrics(pushed)).isEqualTo(new WindowQuery(q.selector(), q.operation(), q.groupBy(),
        q.windowMs(), q.stepMs(), q.quantiles()));
    assertThat(pushed.toBuilder().setKind(Kind.KIND_UNSPECIFIED).build())
        .isEqualTo(AVG.toBuilder().setSelector(q.selector().toString()).build());
  }

  @Test
  void theFirstBadFieldIsNamed() {
    assertThatThrownBy(() -> QueryProtos.metrics(AVG.toBuilder().setSelector("cpu{node=\"n1").build()))
        .hasMessage("selector: unterminated string at 9");
    assertThatThrownBy(() -> QueryProtos.metrics(AVG.toBuilder().setOperationValue(42).build()))
        .hasMessage("operation must be one of RAW, SUM, AVG, MIN, MAX, COUNT, RATE, QUANTILE, got UNRECOGNIZED");
    assertThatThrownBy(() -> QueryProtos.metrics(AVG.toBuilder().setKindValue(9).build()))
        .hasMessage("kind must be METRICS or EVENTS, got 9");
    assertThatThrownBy(() -> QueryProtos.metrics(AVG.toBuilder().setStepMs(50).build()))
        .hasMessage("step_ms must be between 100 and 10000, got 50");
  }

  @Test
  void eventsAreRawOnly() {
    SubscribeRequest events = SubscribeRequest.newBuilder().setKind(Kind.KIND_EVENTS)
        .setSelector("job.*{severity>=\"error\"}").setOperation(Operation.OPERATION_RAW).build();
    assertThat(QueryProtos.events(events, NOW).selector().toString()).isEqualTo("job.*{severity>=\"error\"}");
    assertThatThrownBy(() -> QueryProtos.events(events.toBuilder().setOperation(Operation.OPERATION_COUNT).build(),
        NOW)).hasMessage("operation must be RAW for events (events are forwarded, not aggregated)");
    assertThatThrownBy(() -> QueryProtos.events(events.toBuilder().setWindowMs(1000).build(), NOW))
        .hasMessage("window_ms must be 0 for RAW, which sends samples as they come");
    assertThatThrownBy(() -> QueryProtos.metrics(events)).hasMessage("kind is EVENTS; not a metrics subscription");
  }

  @Test
  void eventsSinceIsATimeNotFarAheadAndOnlyForEvents() {
    assertThat(QueryProtos.events(EVENTS, NOW).sinceMs()).as("unset: every held event").isZero();
    assertThat(QueryProtos.events(EVENTS.toBuilder().setEventsSinceMs(NOW - 5).build(), NOW).sinceMs())
        .isEqualTo(NOW - 5);
    long aDay = QueryProtos.MAX_SINCE_AHEAD_MS;
    assertThat(QueryProtos.events(EVENTS.toBuilder().setEventsSinceMs(NOW + aDay).build(), NOW).sinceMs())
        .as("a writer's clock may lead the master's").isEqualTo(NOW + aDay);
    assertThatThrownBy(() -> QueryProtos.events(EVENTS.toBuilder().setEventsSinceMs(-1).build(), NOW))
        .hasMessage("events_since_ms must be 0 or a time in ms since the epoch at most a day ahead, got -1");
    assertThatThrownBy(() -> QueryProtos.events(EVENTS.toBuilder().setEventsSinceMs(NOW + aDay + 1).build(), NOW))
        .hasMessageStartingWith("events_since_ms must be 0 or a time");
    assertThatThrownBy(() -> QueryProtos.metrics(AVG.toBuilder().setEventsSinceMs(NOW).build()))
        .hasMessage("events_since_ms is for events subscriptions only; must be 0 for metrics, got " + NOW);
  }
}
