package io.feitian.shennong.analysis.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.Config;
import io.feitian.common.config.ConfigLoader;
import io.feitian.proto.shennong.v1.AgentServiceGrpc;
import io.feitian.proto.shennong.v1.AnalysisServiceGrpc;
import io.feitian.proto.shennong.v1.QueryRequest;
import io.feitian.proto.shennong.v1.QueryResponse;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.TopRequest;
import io.feitian.proto.shennong.v1.TopResponse;
import io.feitian.proto.shennong.v1.TotalPoint;
import io.feitian.proto.shennong.v1.TotalSeries;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.shennong.agent.ShennongAgent;
import io.feitian.shennong.analysis.ClusterTotals;
import io.feitian.shennong.analysis.TotalsQuery;
import io.feitian.shennong.master.ShennongMaster;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon with real parts in one JVM: ZooKeeper, a shennong-master, three agents (one per
 * node) and two analysis-services. Constant values written through the agents are summed by every
 * grouping as the test sums them by hand; the leader goes and the standby, which kept a copy of
 * its snapshot, answers for the steps recorded before; bad queries are refused naming the field.
 */
class AnalysisServiceTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final long STEP = 1000;
  /** Node to rack and role, as configured (no fuxi-master in this test). */
  private static final Map<String, String[]> NODES = Map.of("n1", new String[] {"r1", "worker"},
      "n2", new String[] {"r1", "master"}, "n3", new String[] {"r2", "worker"});

  @TempDir
  Path dir;
  private TestingServer zk;
  private ShennongMaster master;
  private final Map<String, ShennongAgent> agents = new TreeMap<>();
  private final List<AnalysisService> services = new ArrayList<>();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();

  @BeforeEach
  void start() throws Exception {
    zk = new TestingServer(new InstanceSpec(dir.resolve("zk").toFile(), -1, -1, -1, true, -1, 200, -1), true);
    master = new ShennongMaster(config(Map.of()));
    master.start();
    for (String node : NODES.keySet()) {
      ShennongAgent agent = new ShennongAgent(config(Map.of("shennong.agent.node-id", node)));
      agent.start();
      agents.put(node, agent);
    }
  }

  @AfterEach
  void stop() throws Exception {
    writer.shutdownNow();
    services.forEach(AnalysisService::close);
    channels.values().forEach(ManagedChannel::shutdownNow);
    agents.values().forEach(ShennongAgent::close);
    master.close();
    zk.close();
  }

  private Config config(Map<String, Object> extra) {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("feitian.zookeeper.connect", zk.getConnectString());
    all.put("feitian.zookeeper.session-timeout", "2s");
    all.put("feitian.shennong.report", "false");
    all.put("shennong.master.port", 0);
    all.put("shennong.master.metrics.port", -1);
    all.put("shennong.master.status-interval", "200ms");
    all.put("shennong.master.report-grace", "400ms");
    all.put("shennong.agent.port", 0);
    all.put("shennong.agent.metrics.port", -1);
    all.put("shennong.agent.reconnect-backoff", "50ms");
    all.put("shennong.agent.reconnect-backoff-max", "200ms");
    all.putAll(extra);
    return ConfigLoader.load(null, all);
  }

  private Config analysisConfig(String name) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("shennong.analysis.port", 0);
    m.put("shennong.analysis.data-dir", dir.resolve(name).toString());
    m.put("shennong.analysis.snapshot-interval", "500ms");
    m.put("shennong.analysis.fine-step", "1s");
    m.put("shennong.analysis.fine-retention", "60s");
    m.put("shennong.analysis.coarse-step", "5s");
    m.put("shennong.analysis.coarse-retention", "24h");
    m.put("shennong.analysis.staleness", "2s");
    m.put("shennong.analysis.grace", "300ms");
    m.put("shennong.analysis.node-info-interval", "1h");
    NODES.forEach((node, where) -> {
      m.put("shennong.analysis.nodes." + node + ".rack", where[0]);
      m.put("shennong.analysis.nodes." + node + ".role", where[1]);
    });
    return config(m);
  }

  AnalysisService startAnalysis(String name) throws Exception {
    AnalysisService s = new AnalysisService(analysisConfig(name));
    s.start();
    services.add(s);
    return s;
  }

  AnalysisService leader() {
    await().atMost(WAIT).until(() -> services.stream().anyMatch(AnalysisService::isLeader));
    return services.stream().filter(AnalysisService::isLeader).findFirst().orElseThrow();
  }

  AnalysisServiceGrpc.AnalysisServiceBlockingStub api(AnalysisService s) {
    return AnalysisServiceGrpc.newBlockingStub(channel(s.address())).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private ManagedChannel channel(String address) {
    return channels.computeIfAbsent(address, a -> NettyChannelBuilder.forTarget(a).usePlaintext().build());
  }

  private static Sample.Builder sample(String name, String node, double value, String... labels) {
    Sample.Builder s = Sample.newBuilder().setName(name).putLabels("node", node).setValue(value);
    for (int i = 0; i < labels.length; i += 2) {
      s.putLabels(labels[i], labels[i + 1]);
    }
    return s;
  }

  /** What each node writes, the same values every time (the test's sums below are of these). */
  private static List<Sample.Builder> samplesOf(String node) {
    return switch (node) {
      case "n1" -> List.of(sample("system.cpu.usage", node, 0.5), sample("system.cpu.count", node, 4),
          sample("system.memory.used.bytes", node, 1000),
          sample("system.disk.read.bytes.per.second", node, 10, "disk", "sda"),
          sample("system.disk.read.bytes.per.second", node, 20, "disk", "sdb"),
          sample("job.instances", node, 3, "job", "j1", "state", "running"),
          sample("job.instances", node, 100, "job", "j1", "state", "pending"),
          sample("process.cpu.cores", node, 0.5, "app", "j1"));
      case "n2" -> List.of(sample("system.cpu.usage", node, 0.25), sample("system.cpu.count", node, 8),
          sample("system.memory.used.bytes", node, 2000),
          sample("job.instances", node, 4, "job", "j2", "state", "running"));
      default -> List.of(sample("system.cpu.usage", node, 1.0), sample("system.cpu.count", node, 2),
          sample("system.memory.used.bytes", node, 3000),
          sample("system.disk.read.bytes.per.second", node, 5, "disk", "sda"),
          sample("service.workers", node, 2, "service", "s1", "role", "kv", "state", "running"));
    };
  }

  /** Every node writes its samples to its own agent every 200 ms. */
  private void writeSamples() {
    writer.scheduleAtFixedRate(() -> {
      long now = System.currentTimeMillis();
      agents.forEach((node, agent) -> {
        WriteRequest.Builder w = WriteRequest.newBuilder().setSource("test");
        samplesOf(node).forEach(s -> w.addSamples(s.clone().setTimestampMs(now)));
        try {
          AgentServiceGrpc.newBlockingStub(channel(agent.address())).withDeadlineAfter(2, TimeUnit.SECONDS)
              .write(w.build());
        } catch (RuntimeException e) {
          // the next write tries again
        }
      });
    }, 0, 200, TimeUnit.MILLISECONDS);
  }

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
      for (TotalPoint p : s.getPointsList()) {
        if (p.getTimeMs() == atMs) {
          out.computeIfAbsent(s.getGroup(), g -> new TreeMap<>()).put(s.getTotal(), p.getAvg());
        }
      }
    }
    return out;
  }

  private static QueryRequest query(String grouping, long startMs, long endMs) {
    return QueryRequest.newBuilder().setSelector("*").setGrouping(grouping).setStartMs(startMs).setEndMs(endMs)
        .setStepMs(STEP).build();
  }

  /**
   * A step in which every node counted, after one in which they did too: the subscription reaches the agents
   * some time after the writes began, and the first step a node's samples are delivered in may hold only part
   * of them.
   */
  private long settledStep(AnalysisService s) {
    long[] found = new long[1];
    await().atMost(WAIT).until(() -> {
      long now = System.currentTimeMillis();
      QueryResponse r = api(s).query(QueryRequest.newBuilder().setSelector("nodes").setGrouping("cluster")
          .setStartMs(now - 30_000).setEndMs(now).setStepMs(STEP).build());
      List<TotalPoint> points = r.getSeriesCount() == 0 ? List.of() : r.getSeries(0).getPointsList();
      for (int i = 1; i < points.size(); i++) {
        if (points.get(i - 1).getAvg() == 3 && points.get(i).getAvg() == 3
            && points.get(i).getTimeMs() == points.get(i - 1).getTimeMs() + STEP) {
          found[0] = points.get(i).getTimeMs();
          return true;
        }
      }
      return false;
    });
    return found[0];
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
    all.addAll(List.of("--cluster", "zk://" + zk.getConnectString(), "--cluster-name", "local"));
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
