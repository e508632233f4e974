package io.feitian.shennong.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.proto.shennong.v1.Kind;
import io.feitian.proto.shennong.v1.Operation;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.feitian.shennong.ops.WindowQuery;
import org.junit.jupiter.api.Test;

class QueryProtosTest {
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
    assertThat(QueryProtos.events(events).toString()).isEqualTo("job.*{severity>=\"error\"}");
    assertThatThrownBy(() -> QueryProtos.events(events.toBuilder().setOperation(Operation.OPERATION_COUNT).build()))
        .hasMessage("operation must be RAW for events (events are forwarded, not aggregated)");
    assertThatThrownBy(() -> QueryProtos.events(events.toBuilder().setWindowMs(1000).build()))
        .hasMessage("window_ms must be 0 for RAW, which sends samples as they come");
    assertThatThrownBy(() -> QueryProtos.metrics(events)).hasMessage("kind is EVENTS; not a metrics subscription");
  }
}
