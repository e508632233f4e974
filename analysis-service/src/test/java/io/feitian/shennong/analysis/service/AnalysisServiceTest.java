package io.feitian.shennong.analysis.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.feitian.client.shennong.TotalPoints;
import io.feitian.proto.shennong.v1.QueryRequest;
import io.feitian.proto.shennong.v1.QueryResponse;
import io.feitian.proto.shennong.v1.TopRequest;
import io.feitian.proto.shennong.v1.TopResponse;
import io.feitian.proto.shennong.v1.TotalSeries;
import io.feitian.shennong.analysis.ClusterTotals;
import io.feitian.shennong.analysis.TotalsQuery;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The daemon with real parts in one JVM: ZooKeeper, a shennong-master, three agents (one per
 * node) and two analysis-services. Constant values written through the agents are summed by every
 * grouping as the test sums them by hand; the leader goes and the standby, which kept a copy of
 * its snapshot, answers for the steps recorded before; bad queries are refused naming the field.
 */
class AnalysisServiceTest extends AnalysisClusterFixture {
  /** The hand sums: grouping → group → total → value. */
  private static Map<String, Map<String, Map<String, Double>>> expected() {
    Map<String, Map<String, Map<String, Double>>> e = new TreeMap<>();
    put(e, "cluster", "local", "nodes", 3, "cpu.cores.used", 6, "cpu.cores", 14, "memory.used.bytes", 6000,
        "disk.read.bytes.per.second", 35, "instances.running", 7, "service.workers.running", 2,
        "process.cpu.cores", 0.5);
    put(e, "rack", "r1", "nodes", 2, "cpu.cores.used", 4, "cpu.cores", 12, "memory.used.bytes", 3000,
        "disk.read.bytes.per.second", 30, "instances.running", 7, "process.cpu.cores", 0.5);
    put(e, "rack", "r2", "nodes", 1, "cpu.cores.used", 2, "cpu.cores", 2, "memory.used.bytes", 3000,
        "disk.read.bytes.per.second", 5, "service.workers.running", 2);
    put(e, "role", "worker", "nodes", 2, "cpu.cores.used", 4, "cpu.cores", 6, "memory.used.bytes", 4000,
        "disk.read.bytes.per.second", 35, "instances.running", 3, "service.workers.running", 2,
        "process.cpu.cores", 0.5);
    put(e, "role", "master", "nodes", 1, "cpu.cores.used", 2, "cpu.cores", 8, "memory.used.bytes", 2000,
        "instances.running", 4);
    put(e, "node", "n1", "nodes", 1, "cpu.cores.used", 2, "cpu.cores", 4, "memory.used.bytes", 1000,
        "disk.read.bytes.per.second", 30, "instances.running", 3, "process.cpu.cores", 0.5);
    put(e, "node", "n2", "nodes", 1, "cpu.cores.used", 2, "cpu.cores", 8, "memory.used.bytes", 2000,
        "instances.running", 4);
    put(e, "node", "n3", "nodes", 1, "cpu.cores.used", 2, "cpu.cores", 2, "memory.used.bytes", 3000,
        "disk.read.bytes.per.second", 5, "service.workers.running", 2);
    put(e, "job", "j1", "instances.running", 3);
    put(e, "job", "j2", "instances.running", 4);
    put(e, "service", "s1", "service.workers.running", 2);
    put(e, "app", "j1", "process.cpu.cores", 0.5);
    return e;
  }

  private static void put(Map<String, Map<String, Map<String, Double>>> e, String grouping, String group,
      Object... totals) {
    Map<String, Double> m = e.computeIfAbsent(grouping, g -> new TreeMap<>()).computeIfAbsent(group,
        g -> new TreeMap<>());
    for (int i = 0; i < totals.length; i += 2) {
      m.put((String) totals[i], ((Number) totals[i + 1]).doubleValue());
    }
  }

  /** Every total of every group of a grouping at the step starting at {@code atMs}. */
  private static Map<String, Map<String, Double>> at(QueryResponse r, long atMs) {
    Map<String, Map<String, Double>> out = new TreeMap<>();
    for (TotalSeries s : r.getSeriesList()) {
      for (TotalPoints.Point p : TotalPoints.of(r, s)) {
        if (p.timeMs() == atMs) {
          out.computeIfAbsent(s.getGroup(), g -> new TreeMap<>()).put(s.getTotal(), p.avg());
        }
      }
    }
    return out;
  }

  private static QueryRequest query(String grouping, long startMs, long endMs) {
    return QueryRequest.newBuilder().setSelector("*").setGrouping(grouping).setStartMs(startMs).setEndMs(endMs)
        .setStepMs(STEP).build();
  }

  @Test
  void totalsAreTheSumsByEveryGroupingAndTheStandbyGoesOnWithTheHistory() throws Exception {
    AnalysisService first = startAnalysis("a1");
    AnalysisService second = startAnalysis("a2");
    AnalysisService leading = leader();
    AnalysisService standby = leading == first ? second : first;
    writeSamples();
    long step = settledStep(leading);

    Map<String, Map<String, Map<String, Double>>> seen = new TreeMap<>();
    for (String grouping : expected().keySet()) {
      seen.put(grouping, at(api(leading).query(query(grouping, step - 5 * STEP, step + STEP)), step));
    }
    assertThat(seen).isEqualTo(expected());

    TopResponse top = api(leading).top(TopRequest.newBuilder().setSort("memory.used.bytes").build());
    assertThat(top.getClusterMap()).containsEntry("memory.used.bytes", 6000.0).containsEntry("nodes", 3.0);
    assertThat(top.getRowsList()).extracting(r -> r.getGroup()).containsExactly("n3", "n2", "n1");
    assertThat(api(leading).top(TopRequest.newBuilder().setGrouping("job").setSort("instances.running")
        .setLimit(1).build()).getRowsList()).extracting(r -> r.getGroup() + "=" + r.getTotalsMap()
        .get("instances.running")).containsExactly("j2=4.0");

    assertThatThrownBy(() -> api(standby).query(query("cluster", step, step)))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getStatus().getDescription()).contains("leader=" + leading.address());
        });

    // The standby's copy of the leader's snapshot holds the settled step before the leader goes (a copy
    // fetched while the step was still open holds the series but not yet the step's point).
    AnalysisServiceSettings settings = AnalysisServiceSettings.from(analysisConfig("x"));
    Path copy = dir.resolve(standby == first ? "a1" : "a2").resolve(SnapshotFile.NAME);
    await().atMost(WAIT).until(() -> Files.exists(copy) && ClusterTotals.restore(settings.history(), "local",
        Files.readAllBytes(copy), System.currentTimeMillis())
        .query(new TotalsQuery("nodes", "cluster", step, step, STEP), System.currentTimeMillis())
        .series().stream().flatMap(s -> s.points().stream()).anyMatch(p -> p.timeMs() == step && p.avg() == 3));
    writer.shutdownNow();
    leading.close();
    services.remove(leading);
    await().atMost(WAIT).until(standby::isLeader);

    Map<String, Map<String, Map<String, Double>>> restored = new TreeMap<>();
    for (String grouping : expected().keySet()) {
      restored.put(grouping, at(api(standby).query(query(grouping, step - 5 * STEP, step + STEP)), step));
    }
    assertThat(restored).as("the history recorded before the failover").isEqualTo(expected());
    assertThat(Files.exists(dir.resolve(leading == first ? "a1" : "a2").resolve(SnapshotFile.NAME)))
        .as("the leader wrote its snapshot when it stopped").isTrue();
  }

  @Test
  void badInputIsRefusedNamingTheField() throws Exception {
    AnalysisService s = startAnalysis("a1");
    leader();
    long now = System.currentTimeMillis();
    assertThatThrownBy(() -> api(s).query(query("racks", now - 10_000, now)))
        .hasMessageContaining("INVALID_ARGUMENT: grouping:").hasMessageContaining("racks");
    assertThatThrownBy(() -> api(s).query(query("rack", now - 10_000, now - 20_000)))
        .hasMessageContaining("INVALID_ARGUMENT: range: end");
    assertThatThrownBy(() -> api(s).query(query("rack", now - 10_000, now).toBuilder().setStepMs(500).build()))
        .hasMessageContaining("INVALID_ARGUMENT: step: 500 ms is finer");
    assertThatThrownBy(() -> api(s).query(query("rack", now - 86_000_000, now).toBuilder().setStepMs(5000).build()))
        .hasMessageContaining("INVALID_ARGUMENT: step:").hasMessageContaining("points");
    assertThatThrownBy(() -> api(s).query(query("rack", now - 10_000, now).toBuilder().setSelector("cpu{").build()))
        .hasMessageContaining("INVALID_ARGUMENT: selector:");
    assertThatThrownBy(() -> api(s).top(TopRequest.newBuilder().setGrouping("jobs").build()))
        .hasMessageContaining("INVALID_ARGUMENT: grouping:");
    assertThatThrownBy(() -> api(s).top(TopRequest.newBuilder().setSort("cpu").build()))
        .hasMessageContaining("INVALID_ARGUMENT: sort: total \"cpu\" is unknown");
    assertThatThrownBy(() -> api(s).top(TopRequest.newBuilder().setLimit(-1).build()))
        .hasMessageContaining("INVALID_ARGUMENT: limit");
  }

  /** Runs the feitian CLI in this JVM against the test's cluster; returns its exit code, stdout and stderr. */
  private String[] cli(String... args) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--cluster", "zk://" + cluster.zkConnect(), "--cluster-name", "local"));
    int code = io.feitian.client.cli.FeitianCli.run(new java.io.PrintStream(out, true), new java.io.PrintStream(err,
        true), all.toArray(String[]::new));
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  @Test
  void feitianTopPrintsTheTotalsAndTheSortedRows() throws Exception {
    startAnalysis("a1");
    startAnalysis("a2");
    AnalysisService leading = leader();
    writeSamples();
    settledStep(leading);

    String[] json = cli("top", "--once", "--json", "--sort", "mem");
    assertThat(json[0]).as(json[2]).isEqualTo("0");
    TopResponse.Builder parsed = TopResponse.newBuilder();
    com.google.protobuf.util.JsonFormat.parser().merge(json[1].strip(), parsed);
    assertThat(parsed.getClusterMap()).containsEntry("cpu.cores.used", 6.0).containsEntry("memory.used.bytes", 6000.0);
    assertThat(parsed.getGrouping()).isEqualTo("node");
    assertThat(parsed.getRowsList()).extracting(r -> r.getGroup()).containsExactly("n3", "n2", "n1");

    String[] table = cli("top", "--once", "--by", "job", "--sort", "instances");
    assertThat(table[0]).as(table[2]).isEqualTo("0");
    assertThat(table[1]).contains("CPU 6.00 of 14.00 cores", "JOB", "INSTANCES");
    assertThat(table[1].indexOf("j2")).as(table[1]).isLessThan(table[1].indexOf("j1"));

    String[] badSort = cli("top", "--once", "--sort", "colour");
    assertThat(badSort[0]).isEqualTo("2");
    assertThat(badSort[2]).contains("--sort: unknown column colour");
    String[] badBy = cli("top", "--once", "--by", "planet");
    assertThat(badBy[0]).isEqualTo("2");
    assertThat(badBy[2]).contains("--by must be one of node, rack, role, service, job, app");
    String[] badInterval = cli("top", "--interval", "100ms");
    assertThat(badInterval[0]).isEqualTo("2");
    assertThat(badInterval[2]).contains("--interval must be at least 1s");
  }
}
