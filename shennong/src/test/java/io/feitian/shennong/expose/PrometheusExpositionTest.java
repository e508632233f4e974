package io.feitian.shennong.expose;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.shennong.series.SeriesStore;
import io.feitian.shennong.series.StoreLimits;
import io.feitian.shennong.wire.Ingest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The text a Prometheus scrape gets from a store written through the agent's write path. */
class PrometheusExpositionTest {
  static Sample sample(String name, Map<String, String> labels, long timestampMs, double value) {
    return Sample.newBuilder().setName(name).putAllLabels(labels).setTimestampMs(timestampMs).setValue(value).build();
  }

  static void write(SeriesStore store, Sample... samples) {
    var r = Ingest.apply(store, WriteRequest.newBuilder().setSource("app").addAllSamples(List.of(samples)).build());
    assertThat(r.response().getRefusalsList()).isEmpty();
  }

  private static String render(SeriesStore store, List<Sample> own) {
    return new String(PrometheusExposition.render(store, own), StandardCharsets.UTF_8);
  }

  @Test
  void namesAndLabelsAreSanitizedValuesEscapedAndFamiliesGrouped() {
    SeriesStore store = new SeriesStore(StoreLimits.DEFAULT);
    write(store,
        sample("node.cpu.utilization", Map.of("node", "n1"), 1_000, 0.5),
        sample("node.cpu.utilization", Map.of("node", "n1"), 2_000, 0.75),
        sample("node.cpu.utilization", Map.of("node", "n2", "rack", ""), 1_000, 0.25),
        sample("http-requests", Map.of("path", "/a\"b\\c\nd"), 1_000, 3),
        sample("jobs:running", Map.of("__meta", "v"), 1_000, 2),
        sample("c.total", Map.of(), 1_000, 12));
    assertThat(render(store, List.of())).isEqualTo("""
        # TYPE c_total untyped
        c_total 12.0
        # TYPE http_requests untyped
        http_requests{path="/a\\"b\\\\c\\nd"} 3.0
        # TYPE jobs:running untyped
        jobs:running{_meta="v"} 2.0
        # TYPE node_cpu_utilization untyped
        node_cpu_utilization{node="n1"} 0.75
        node_cpu_utilization{node="n2"} 0.25
        """);
  }

  @Test
  void namesThatBecomeOneShareAFamilyAndTheFirstOfEqualSeriesIsShown() {
    SeriesStore store = new SeriesStore(StoreLimits.DEFAULT);
    write(store,
        sample("a_b", Map.of("x", "1"), 1_000, 1),
        sample("a.b", Map.of("x", "1"), 1_000, 2),
        sample("a-b", Map.of("x", "2"), 1_000, 3),
        sample("a.b", Map.of("x", "3"), 1_000, 4));
    List<Sample> own = List.of(sample("shennong.agent.series", Map.of(), 0, 4),
        sample("a.b", Map.of("x", "3"), 0, 40));
    assertThat(render(store, own)).isEqualTo("""
        # TYPE a_b untyped
        a_b{x="1"} 2.0
        a_b{x="2"} 3.0
        a_b{x="3"} 40.0
        # TYPE shennong_agent_series untyped
        shennong_agent_series 4.0
        """);
  }

  @Test
  void anEmptyStoreRendersNothing() {
    assertThat(PrometheusExposition.render(new SeriesStore(StoreLimits.DEFAULT), List.of())).isEmpty();
  }
}
