package io.feitian.shennong.analysis.service;

import static org.awaitility.Awaitility.await;

import com.typesafe.config.Config;
import io.feitian.client.shennong.TotalPoints;
import io.feitian.proto.shennong.v1.AnalysisServiceGrpc;
import io.feitian.proto.shennong.v1.QueryRequest;
import io.feitian.proto.shennong.v1.QueryResponse;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.shennong.agent.ShennongAgent;
import io.feitian.shennong.cluster.ShennongFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemons with real parts in one JVM, for the tests of analysis-service: shennong's {@link
 * ShennongFixture} (ZooKeeper, a shennong-master) with three agents (one per node), started before
 * each test; the test starts its analysis-services ({@link #startAnalysis}) and has every node
 * write constant values ({@link #writeSamples}, {@link #samplesOf}).
 */
abstract class AnalysisClusterFixture {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final long STEP = 1000;
  /** Node to rack and role, as configured (no fuxi-master in these tests). */
  static final Map<String, String[]> NODES = Map.of("n1", new String[] {"r1", "worker"},
      "n2", new String[] {"r1", "master"}, "n3", new String[] {"r2", "worker"});

  @TempDir
  Path dir;
  ShennongFixture cluster;
  private final Map<String, ShennongAgent> agents = new TreeMap<>();
  final List<AnalysisService> services = new ArrayList<>();
  final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();

  @BeforeEach
  void start() throws Exception {
    cluster = new ShennongFixture(dir);
    cluster.startMaster();
    for (String node : NODES.keySet()) {
      agents.put(node, cluster.startAgent(node));
    }
  }

  @AfterEach
  void stop() throws Exception {
    writer.shutdownNow();
    services.forEach(AnalysisService::close);
    cluster.close();
  }

  Config analysisConfig(String name) {
    return analysisConfig(name, Map.of());
  }

  Config analysisConfig(String name, Map<String, Object> extra) {
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
    m.putAll(extra);
    return cluster.config(m);
  }

  AnalysisService startAnalysis(String name) throws Exception {
    return startAnalysis(name, Map.of());
  }

  /** An analysis-service with more settings ({@code shennong.analysis.*} and others) than {@link #analysisConfig}'s. */
  AnalysisService startAnalysis(String name, Map<String, Object> extra) throws Exception {
    AnalysisService s = new AnalysisService(analysisConfig(name, extra));
    s.start();
    services.add(s);
    return s;
  }

  AnalysisService leader() {
    await().atMost(WAIT).until(() -> services.stream().anyMatch(AnalysisService::isLeader));
    return services.stream().filter(AnalysisService::isLeader).findFirst().orElseThrow();
  }

  AnalysisServiceGrpc.AnalysisServiceBlockingStub api(AnalysisService s) {
    return AnalysisServiceGrpc.newBlockingStub(cluster.channelTo(s.address())).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static Sample.Builder sample(String name, String node, double value, String... labels) {
    Sample.Builder s = Sample.newBuilder().setName(name).putLabels("node", node).setValue(value);
    for (int i = 0; i < labels.length; i += 2) {
      s.putLabels(labels[i], labels[i + 1]);
    }
    return s;
  }

  /** What each node writes, the same values every time (the test's sums below are of these). */
  static List<Sample.Builder> samplesOf(String node) {
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
  void writeSamples() {
    writer.scheduleAtFixedRate(() -> {
      long now = System.currentTimeMillis();
      agents.forEach((node, agent) -> {
        WriteRequest.Builder w = WriteRequest.newBuilder().setSource("test");
        samplesOf(node).forEach(s -> w.addSamples(s.clone().setTimestampMs(now)));
        try {
          cluster.agentStub(agent).withDeadlineAfter(2, TimeUnit.SECONDS).write(w.build());
        } catch (RuntimeException e) {
          // the next write tries again
        }
      });
    }, 0, 200, TimeUnit.MILLISECONDS);
  }

  /**
   * A step in which every node counted, after one in which they did too: the subscription reaches the agents
   * some time after the writes began, and the first step a node's samples are delivered in may hold only part
   * of them.
   */
  long settledStep(AnalysisService s) {
    long[] found = new long[1];
    await().atMost(WAIT).until(() -> {
      long now = System.currentTimeMillis();
      QueryResponse r = api(s).query(QueryRequest.newBuilder().setSelector("nodes").setGrouping("cluster")
          .setStartMs(now - 30_000).setEndMs(now).setStepMs(STEP).build());
      List<TotalPoints.Point> points = r.getSeriesCount() == 0 ? List.of() : TotalPoints.of(r, r.getSeries(0));
      for (int i = 1; i < points.size(); i++) {
        if (points.get(i - 1).avg() == 3 && points.get(i).avg() == 3
            && points.get(i).timeMs() == points.get(i - 1).timeMs() + STEP) {
          found[0] = points.get(i).timeMs();
          return true;
        }
      }
      return false;
    });
    return found[0];
  }

}
