package io.feitian.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.util.JsonFormat;
import io.feitian.client.cli.FeitianCli;
import io.feitian.client.shennong.ShennongWriter;
import io.feitian.client.shennong.TotalPoints;
import io.feitian.proto.shennong.v1.AnalysisServiceGrpc;
import io.feitian.proto.shennong.v1.QueryRequest;
import io.feitian.proto.shennong.v1.QueryResponse;
import io.feitian.proto.shennong.v1.TopResponse;
import io.feitian.proto.shennong.v1.TotalSeries;
import io.feitian.testkit.ChildJvm;
import io.feitian.testkit.FreePorts;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analysis-service with real processes on loopback: ZooKeeper, a shennong-master, two agents
 * (nodes n1 and n2) and two analysis-services. Memory written through each node's agent by the
 * Java writer is summed by cluster and by node; `feitian top --once --json` shows it; the leader is
 * killed with kill -9 once its standby fetched a snapshot holding a step, and the standby answers
 * for that step from the restored history.
 */
class AnalysisServiceIT {
  private static final String MASTER_MAIN = "io.feitian.shennong.master.ShennongMasterMain";
  private static final String AGENT_MAIN = "io.feitian.shennong.agent.ShennongAgentMain";
  private static final String ANALYSIS_MAIN = "io.feitian.shennong.analysis.service.AnalysisServiceMain";
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final long STEP = 1000;

  @TempDir
  Path dir;
  private TestingServer zk;
  private final Map<String, Process> daemons = new LinkedHashMap<>();
  private final Map<String, Integer> ports = new LinkedHashMap<>();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final List<ShennongWriter> writers = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    zk = new TestingServer(new InstanceSpec(dir.resolve("zk").toFile(), -1, -1, -1, true, -1, 200, -1), true);
  }

  @AfterEach
  void stop() throws Exception {
    writers.forEach(ShennongWriter::close);
    channels.values().forEach(ManagedChannel::shutdownNow);
    daemons.values().forEach(ChildJvm::kill9);
    Path logs = Path.of("target", "analysis-service-it");
    Files.createDirectories(logs);
    for (String name : daemons.keySet()) {
      Files.copy(dir.resolve(name + ".log"), logs.resolve(name + ".log"), StandardCopyOption.REPLACE_EXISTING);
    }
    zk.close();
  }

  private List<String> common() {
    return new ArrayList<>(List.of("--set", "feitian.zookeeper.connect=" + zk.getConnectString(),
        "--set", "feitian.zookeeper.session-timeout=2s", "--set", "feitian.cluster-name=it",
        "--set", "feitian.shennong.report=false"));
  }

  private void start(String name, String main, List<String> args) {
    daemons.put(name, ChildJvm.of(main).args(args.toArray(String[]::new)).log(dir.resolve(name + ".log")).start());
  }

  private void startAgent(String node) {
    int port = FreePorts.one();
    ports.put(node, port);
    List<String> agent = common();
    agent.addAll(List.of("--set", "shennong.agent.node-id=" + node, "--set", "shennong.agent.port=" + port,
        "--set", "shennong.agent.metrics.port=-1", "--set", "shennong.agent.reconnect-backoff=50ms",
        "--set", "shennong.agent.reconnect-backoff-max=300ms"));
    start("agent-" + node, AGENT_MAIN, agent);
  }

  private void startAnalysis(String name) {
    int port = FreePorts.one();
    ports.put(name, port);
    List<String> args = common();
    args.addAll(List.of("--set", "shennong.analysis.port=" + port,
        "--set", "shennong.analysis.data-dir=" + dir.resolve(name),
        "--set", "shennong.analysis.snapshot-interval=500ms", "--set", "shennong.analysis.fine-step=1s",
        "--set", "shennong.analysis.fine-retention=60s", "--set", "shennong.analysis.coarse-step=5s",
        "--set", "shennong.analysis.coarse-retention=10m", "--set", "shennong.analysis.staleness=2s",
        "--set", "shennong.analysis.grace=300ms"));
    start(name, ANALYSIS_MAIN, args);
  }

  private AnalysisServiceGrpc.AnalysisServiceBlockingStub api(String name) {
    ManagedChannel ch = channels.computeIfAbsent(name, n -> NettyChannelBuilder.forTarget("127.0.0.1:"
        + ports.get(n)).usePlaintext().build());
    return AnalysisServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** The live analysis-service that answers (a standby refuses with UNAVAILABLE). */
  private String leader() {
    String[] found = new String[1];
    await().atMost(WAIT).until(() -> {
      for (String a : List.of("analysis-1", "analysis-2")) {
        if (!daemons.get(a).isAlive()) {
          continue;
        }
        try {
          api(a).query(memory("cluster", System.currentTimeMillis() - 5000, System.currentTimeMillis()));
          found[0] = a;
          return true;
        } catch (RuntimeException e) {
          // a standby, or not up yet
        }
      }
      return false;
    });
    return found[0];
  }

  private static QueryRequest memory(String grouping, long startMs, long endMs) {
    return QueryRequest.newBuilder().setSelector("memory.used.bytes").setGrouping(grouping).setStartMs(startMs)
        .setEndMs(endMs).setStepMs(STEP).build();
  }

  /** Group → the memory total at each step. */
  private Map<String, Map<Long, Double>> memory(String analysis, String grouping, long fromMs) {
    Map<String, Map<Long, Double>> out = new TreeMap<>();
    QueryResponse answer = api(analysis).query(memory(grouping, fromMs, System.currentTimeMillis()));
    for (TotalSeries s : answer.getSeriesList()) {
      for (TotalPoints.Point p : TotalPoints.of(answer, s)) {
        out.computeIfAbsent(s.getGroup(), g -> new TreeMap<>()).put(p.timeMs(), p.avg());
      }
    }
    return out;
  }

  @Test
  void sumsOverTwoAgentsSurviveKillNineOfTheLeader() throws Exception {
    List<String> master = common();
    master.addAll(List.of("--set", "shennong.master.port=0", "--set", "shennong.master.metrics.port=-1",
        "--set", "shennong.master.status-interval=300ms", "--set", "shennong.master.report-grace=500ms"));
    start("shennong-master", MASTER_MAIN, master);
    startAgent("n1");
    startAgent("n2");
    startAnalysis("analysis-1");
    startAnalysis("analysis-2");
    String leading = leader();
    String standby = leading.equals("analysis-1") ? "analysis-2" : "analysis-1";
    long begin = System.currentTimeMillis();
    for (String node : List.of("n1", "n2")) {
      ShennongWriter w = new ShennongWriter(ShennongWriter.Options.defaults("it")
          .withAgent("127.0.0.1:" + ports.get(node)).withFlushInterval(Duration.ofMillis(100)));
      writers.add(w);
      w.gauge("system.memory.used.bytes", "node", node).set(node.equals("n1") ? 1000 : 2000);
    }

    // A step where both nodes counted, and the standby's copy of the snapshot holds it.
    long[] step = new long[1];
    await().atMost(WAIT).until(() -> {
      Map<Long, Double> cluster = memory(leading, "cluster", begin).getOrDefault("it", Map.of());
      step[0] = cluster.entrySet().stream().filter(e -> e.getValue() == 3000).mapToLong(Map.Entry::getKey)
          .min().orElse(0);
      return step[0] > 0;
    });
    Map<String, Map<Long, Double>> byNode = memory(leading, "node", step[0]);
    assertThat(byNode.get("n1")).containsEntry(step[0], 1000.0);
    assertThat(byNode.get("n2")).containsEntry(step[0], 2000.0);

    String[] top = cli("top", "--once", "--json");
    assertThat(top[0]).as(top[2]).isEqualTo("0");
    TopResponse.Builder parsed = TopResponse.newBuilder();
    JsonFormat.parser().merge(top[1].strip(), parsed);
    assertThat(parsed.getClusterMap()).containsEntry("memory.used.bytes", 3000.0).containsEntry("nodes", 2.0);
    assertThat(parsed.getRowsList()).extracting(r -> r.getGroup()).containsExactly("n1", "n2");

    Path copy = dir.resolve(standby).resolve("totals.snapshot");
    long copiedAfter = System.currentTimeMillis() + 2 * STEP;
    await().atMost(WAIT).until(() -> Files.exists(copy) && Files.getLastModifiedTime(copy).toMillis() > copiedAfter);
    ChildJvm.kill9(daemons.get(leading));
    assertThat(leader()).isEqualTo(standby);
    assertThat(memory(standby, "cluster", step[0]).get("it")).as("the history recorded before kill -9")
        .containsEntry(step[0], 3000.0);
  }

  /** Runs the feitian CLI in this JVM against the test's cluster; returns its exit code, stdout and stderr. */
  private String[] cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--cluster", "zk://" + zk.getConnectString(), "--cluster-name", "it"));
    int code = FeitianCli.run(new PrintStream(out, true), new PrintStream(err, true), all.toArray(String[]::new));
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }
}
