package io.feitian.shennong.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.Refusal;
import io.feitian.proto.shennong.v1.RefusalReason;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.SeriesSamples;
import io.feitian.proto.shennong.v1.Severity;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.proto.shennong.v1.WriteResponse;
import io.feitian.shennong.series.SeriesKey;
import io.feitian.shennong.series.SeriesStore;
import io.feitian.shennong.series.SeriesWindow;
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

  private static SeriesSamples series(String name, String node, long[] timestamps, double... values) {
    SeriesSamples.Builder s = SeriesSamples.newBuilder().setName(name).putLabels("node", node);
    for (long t : timestamps) {
      s.addTimestampsMs(t);
    }
    for (double v : values) {
      s.addValues(v);
    }
    return s.build();
  }

  @Test
  void eachPointOfASeriesIsAdmittedOnItsOwnAndARefusalNamesTheSeriesAndThePoint() {
    WriteRequest req = WriteRequest.newBuilder().setSource("app")
        .addSeries(series("cpu", "n1", new long[] {0, T0, T0, T0 + 1, T0 + 2}, 1, 2, 3, Double.POSITIVE_INFINITY, 5))
        .addSeries(series("1cpu", "n1", new long[] {T0, T0 + 1}, 1, 2))
        .addSeries(series("cpu", "n2", new long[] {T0}, 1))
        .addSeries(series("cpu", "n3", new long[] {T0, T0 + 1}, 1, 2))
        .addSeries(series("cpu", "n4", new long[0]))
        .build();
    WriteResponse w = Ingest.apply(store, req).response();
    assertThat(w.getAcceptedSamples()).isEqualTo(3);
    assertThat(w.getRefusalsList()).extracting(Refusal::getReason, Refusal::getSamples, Refusal::getFirst).containsExactly(
        tuple(RefusalReason.REFUSAL_REASON_INVALID, 4, "series[0].timestamps_ms[0] must be positive, got 0"),
        tuple(RefusalReason.REFUSAL_REASON_OUT_OF_ORDER, 1,
            "series[0].timestamps_ms[2] 1700000000000 is not newer than the newest sample of cpu{node=\"n1\"}"),
        tuple(RefusalReason.REFUSAL_REASON_SOURCE_SERIES_LIMIT, 2, "series[3] would be series 3 of source app"));
    SeriesWindow n1 = store.window(SeriesKey.of("cpu", Map.of("node", "n1")));
    assertThat(n1.size()).isEqualTo(2);
    assertThat(n1.valueAt(1)).isEqualTo(5);
    assertThat(store.seriesCount()).isEqualTo(2);
    assertThat(Ingest.apply(store, WriteRequest.newBuilder().setSource("app")
        .addSeries(series("cpu", "n9", new long[] {T0, T0}, 1, Double.NaN)).build()).response().getRefusals(0)
        .getFirst()).isEqualTo("series[0].values[1] must be finite, got NaN");
  }

  @Test
  void aMalformedSeriesRefusesTheWholeRequestNamingTheFieldAndIndex() {
    Sample ok = sample("cpu", "n1", T0, 1);
    assertRefusedWhole(WriteRequest.newBuilder().setSource("app").addSamples(ok)
        .addSeries(series("cpu", "n2", new long[] {T0}, 1))
        .addSeries(series("cpu", "n3", new long[] {T0, T0 + 1}, 1)),
        "series[1] has 2 timestamps_ms and 1 values; they must be as many");
    assertRefusedWhole(WriteRequest.newBuilder().setSource("app")
        .addSeries(series("cpu", "n2", new long[] {T0, T0 + 5, T0 + 4}, 1, 2, 3)),
        "series[0].timestamps_ms[2] 1700000000004 is before timestamps_ms[1] 1700000000005; points go oldest first");
    long[] many = new long[Ingest.MAX_POINTS_PER_SERIES + 1];
    java.util.Arrays.setAll(many, i -> T0 + i);
    assertRefusedWhole(WriteRequest.newBuilder().setSource("app")
        .addSeries(series("cpu", "n2", many, new double[many.length])),
        "series[0].timestamps_ms has 10001 points; at most 10000 are allowed");
    WriteRequest.Builder full = WriteRequest.newBuilder().setSource("app");
    long[] points = java.util.Arrays.copyOf(many, Ingest.MAX_POINTS_PER_SERIES);
    for (int i = 0; i < Ingest.MAX_SAMPLES / Ingest.MAX_POINTS_PER_SERIES; i++) {
      full.addSeries(series("cpu", "n" + i, points, new double[points.length]));
    }
    assertRefusedWhole(full.addSamples(ok), "series and samples hold 100001 samples; at most 100000 are allowed");
  }

  private void assertRefusedWhole(WriteRequest.Builder request, String problem) {
    assertThatThrownBy(() -> Ingest.apply(store, request.build())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage(problem);
    assertThat(store.seriesCount()).isZero();
  }
}
