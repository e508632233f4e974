package io.feitian.shennong.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.Refusal;
import io.feitian.proto.shennong.v1.RefusalReason;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.Severity;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.proto.shennong.v1.WriteResponse;
import io.feitian.shennong.series.SeriesKey;
import io.feitian.shennong.series.SeriesStore;
import io.feitian.shennong.series.StoreLimits;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IngestTest {
  private static final long T0 = 1_700_000_000_000L;
  private final SeriesStore store = new SeriesStore(new StoreLimits(120_000, 128, 2, 100));

  private static Sample sample(String name, String node, long t, double v) {
    return Sample.newBuilder().setName(name).putLabels("node", node).setTimestampMs(t).setValue(v).build();
  }

  private static Event event(String name, Severity severity) {
    return Event.newBuilder().setName(name).setSeverity(severity).setTimestampMs(T0).setMessage("m").build();
  }

  @Test
  void eachItemIsAdmittedOnItsOwnAndRefusalsAreCountedByReasonWithTheFirstProblem() {
    WriteRequest req = WriteRequest.newBuilder().setSource("app")
        .addSamples(sample("cpu", "n1", T0, 1))
        .addSamples(sample("1cpu", "n1", T0, 1))
        .addSamples(sample("cpu", "n1", T0, 2))
        .addSamples(sample("cpu", "n2", T0, Double.NaN))
        .addSamples(sample("cpu", "n2", 0, 1))
        .addSamples(sample("cpu", "n2", T0, 1))
        .addSamples(sample("cpu", "n3", T0, 1))
        .addEvents(event("node.lost", Severity.SEVERITY_WARNING))
        .addEvents(event("node.lost", Severity.SEVERITY_UNSPECIFIED))
        .addEvents(event("node.lost", Severity.SEVERITY_INFO).toBuilder().putLabels("severity", "x").build())
        .build();
    Ingest.Result r = Ingest.apply(store, req);
    WriteResponse w = r.response();
    assertThat(w.getAcceptedSamples()).isEqualTo(2);
    assertThat(w.getAcceptedEvents()).isEqualTo(1);
    assertThat(r.events()).containsExactly(req.getEvents(0));
    assertThat(w.getRefusalsList()).extracting(Refusal::getReason).containsExactly(
        RefusalReason.REFUSAL_REASON_INVALID, RefusalReason.REFUSAL_REASON_OUT_OF_ORDER,
        RefusalReason.REFUSAL_REASON_SOURCE_SERIES_LIMIT);
    Refusal invalid = w.getRefusals(0);
    assertThat(invalid.getSamples()).isEqualTo(3);
    assertThat(invalid.getEvents()).isEqualTo(2);
    assertThat(invalid.getFirst()).isEqualTo("samples[1].name must match [A-Za-z_][A-Za-z0-9_.:-]*, got '1cpu'");
    assertThat(w.getRefusals(1).getFirst())
        .isEqualTo("samples[2].timestamp_ms 1700000000000 is not newer than the newest sample of cpu{node=\"n1\"}");
    assertThat(w.getRefusals(2).getFirst()).isEqualTo("samples[6] would be series 3 of source app");
    assertThat(store.window(SeriesKey.of("cpu", Map.of("node", "n2"))).size()).isEqualTo(1);
  }

  @Test
  void eventProblemsNameTheField() {
    assertThat(Ingest.eventProblem(event("x", Severity.SEVERITY_UNSPECIFIED))).isEqualTo("severity is required");
    assertThat(Ingest.eventProblem(event("x", Severity.SEVERITY_INFO).toBuilder().putLabels("severity", "a").build()))
        .isEqualTo("labels name severity is reserved for the severity");
    assertThat(Ingest.eventProblem(event("x", Severity.SEVERITY_INFO).toBuilder().setMessage("é".repeat(3000)).build()))
        .isEqualTo("message is 6000 bytes; at most 4096 are allowed");
    assertThat(Ingest.eventProblem(event("x", Severity.SEVERITY_INFO).toBuilder().setTimestampMs(0).build()))
        .isEqualTo("timestamp_ms must be positive, got 0");
    assertThat(Ingest.eventProblem(event("x", Severity.SEVERITY_INFO))).isNull();
  }

  @Test
  void aBadRequestIsRefusedWholeNamingTheField() {
    assertThatThrownBy(() -> Ingest.apply(store, WriteRequest.newBuilder().addSamples(sample("a", "n", T0, 1)).build()))
        .hasMessage("source must match [A-Za-z0-9_.:-]{1,128}, got ''");
    WriteRequest.Builder big = WriteRequest.newBuilder().setSource("app");
    Event e = event("x", Severity.SEVERITY_INFO);
    for (int i = 0; i <= Ingest.MAX_EVENTS; i++) {
      big.addEvents(e);
    }
    assertThatThrownBy(() -> Ingest.apply(store, big.build())).hasMessage("events has 10001 items; at most 10000 are allowed");
    assertThat(store.seriesCount()).isZero();
  }
}
