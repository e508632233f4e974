package io.feitian.bench.dayu;

import io.feitian.client.cli.FeitianCli;
import io.feitian.common.grpc.Channels;
import io.feitian.common.security.SecuritySettings;
import io.feitian.dayu.server.DayuServerMain;
import io.feitian.proto.dayu.v1.AddClusterRequest;
import io.feitian.proto.dayu.v1.AddNodeRequest;
import io.feitian.proto.dayu.v1.DayuServiceGrpc;
import io.feitian.proto.dayu.v1.GetRolloutRequest;
import io.feitian.proto.dayu.v1.ListClustersRequest;
import io.feitian.proto.dayu.v1.RolloutInfo;
import io.feitian.proto.dayu.v1.RolloutKind;
import io.feitian.proto.dayu.v1.RolloutServiceGrpc;
import io.feitian.proto.dayu.v1.RolloutStrategy;
import io.feitian.proto.dayu.v1.StartRolloutRequest;
import io.feitian.testkit.ChildJvm;
import io.feitian.testkit.FreePorts;
import io.feitian.testkit.SamplePackages;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LongSummaryStatistics;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Issue 15's figures for dayu-server, which runs as a child JVM (its CPU read from /proc) over its
 * embedded H2 database, with agents speaking the real protocol from this JVM ({@link ProtocolAgent}):
 * <ol>
 *   <li>{@code rollout}: a rolling upgrade of {@code --agents} (20) nodes in batches of 25%, each
 *       step of a node's task taking {@code --step-ms} (50 ms, six steps), no healthy wait between
 *       batches. Total time, and the gap between batches as the agents see it: from the last step
 *       reported in a batch to the first work received in the next, which is the plan's own cost
 *       (the core, the database write, the send).</li>
 *   <li>{@code sync}: {@code --agents} (10,000) registered agents each doing one full sync (register
 *       with its installed versions, reopen its Watch and receive its outstanding work), all at
 *       once: wall time and the server's CPU per round, over {@code --rounds} (3) rounds.</li>
 * </ol>
 *
 * <pre>
 * flock /tmp/feitian-mvn.lock mvn -B -q -pl bench dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
 * java -cp bench/target/classes:$(cat bench/target/classpath.txt) io.feitian.bench.dayu.DayuBenchmark \
 *     rollout|sync [--agents N] [--step-ms 50] [--rounds 3]
 * </pre>
 */
public final class DayuBenchmark {
  private static final String CLUSTER = "bench";
  private static final String MODULE = "app";

  private DayuBenchmark() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "rollout";
    int agents = mode.equals("sync") ? 10_000 : 20;
    long stepMillis = 50;
    int rounds = 3;
    for (int i = 1; i < args.length; i += 2) {
      switch (args[i]) {
        case "--agents" -> agents = Integer.parseInt(args[i + 1]);
        case "--step-ms" -> stepMillis = Long.parseLong(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--agents, --step-ms, --rounds)");
      }
    }
    Path dir = Files.createTempDirectory("dayu-bench");
    int port = FreePorts.one();
    Process server = ChildJvm.of(DayuServerMain.class).jvmArg("-XX:TieredStopAtLevel=4").jvmArg("-Xmx1g")
        .args("--set", "dayu.data-dir=" + dir.resolve("server"), "--set", "dayu.server.port=" + port,
            "--set", "dayu.rollouts.agent-grace=60s")
        .log(dir.resolve("dayu-server.log")).start();
    String target = "127.0.0.1:" + port;
    ManagedChannel channel = Channels.open(target, SecuritySettings.INSECURE);
    try {
      awaitServer(channel, 60);
      setUp(channel, target, dir, agents);
      if (mode.equals("sync")) {
        sync(channel, target, agents, rounds, server.pid());
      } else {
        rollout(channel, target, agents, stepMillis);
      }
    } finally {
      Channels.close(channel);
      server.destroy();
      server.waitFor(10, TimeUnit.SECONDS);
      System.out.println("server log: " + dir.resolve("dayu-server.log"));
    }
  }

  /** Waits until the dayu-server behind {@code channel} answers, for at most {@code seconds}. */
  static void awaitServer(ManagedChannel channel, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      try {
        DayuServiceGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
            .listClusters(ListClustersRequest.getDefaultInstance());
        return;
      } catch (StatusRuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        TimeUnit.MILLISECONDS.sleep(200);
      }
    }
  }

  /** A cluster of {@code agents} worker nodes, and the module's versions 1.0.0 and 2.0.0 published through the CLI. */
  private static void setUp(ManagedChannel channel, String target, Path dir, int agents) throws IOException {
    DayuServiceGrpc.DayuServiceBlockingStub dayu = DayuServiceGrpc.newBlockingStub(channel);
    dayu.addCluster(AddClusterRequest.newBuilder().setName(CLUSTER).build());
    IntStream.range(0, agents).parallel().forEach(i -> dayu.addNode(AddNodeRequest.newBuilder().setCluster(CLUSTER)
        .setHost(host(i)).setRack("r" + i % 10).addRoles("worker").build()));
    for (String version : List.of("1.0.0", "2.0.0")) {
      Path pkg = dir.resolve(MODULE + "-" + version + ".tar.gz");
      Files.write(pkg, SamplePackages.sample(MODULE, version));
      publish(target, pkg);
    }
  }

  /** Publishes the release package {@code pkg} through the CLI, as an operator does ({@code feitian dayu module publish}). */
  static void publish(String target, Path pkg) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = FeitianCli.run(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err),
        "dayu", "module", "publish", pkg.toString(), "-s", target);
    if (exit != 0) {
      throw new IllegalStateException("publishing " + pkg + " failed: " + err);
    }
  }

  private static String host(int i) {
    return String.format("node-%05d", i);
  }

  private static void rollout(ManagedChannel channel, String target, int count, long stepMillis) throws Exception {
    List<ProtocolAgent> agents = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      agents.add(new ProtocolAgent(channel, CLUSTER, host(i), Map.of(MODULE, "1.0.0"), stepMillis));
    }
    agents.forEach(ProtocolAgent::sync);
    for (ProtocolAgent a : agents) {
      a.awaitWatching();
    }
    RolloutServiceGrpc.RolloutServiceBlockingStub rollouts = RolloutServiceGrpc.newBlockingStub(channel);
    long started = System.nanoTime();
    RolloutInfo r = rollouts.startRollout(StartRolloutRequest.newBuilder().setCluster(CLUSTER)
        .setKind(RolloutKind.UPGRADE).putTargets(MODULE, "2.0.0")
        .setStrategy(RolloutStrategy.newBuilder().addBatches("25%").setMinHealthy("0s")
            .setDefaultMaxUnavailable("25%"))
        .build());
    while (!(r = rollouts.getRollout(GetRolloutRequest.newBuilder().setId(r.getId()).build())).getState()
        .equals("SUCCEEDED")) {
      if (!r.getState().equals("RUNNING")) {
        throw new IllegalStateException("the rollout ended " + r.getState() + ": " + r.getReason());
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    long total = System.nanoTime() - started;
    // Batches as the agents saw them: when each got its work and reported its last step.
    TreeMap<Integer, LongSummaryStatistics> received = new TreeMap<>();
    TreeMap<Integer, LongSummaryStatistics> done = new TreeMap<>();
    Map<String, Integer> batchOf = new TreeMap<>();
    r.getTasksList().forEach(t -> batchOf.put(t.getHost(), t.getBatch()));
    for (ProtocolAgent a : agents) {
      int batch = batchOf.get(a.host());
      received.computeIfAbsent(batch, b -> new LongSummaryStatistics()).accept(a.receivedAtNanos());
      done.computeIfAbsent(batch, b -> new LongSummaryStatistics()).accept(a.doneAtNanos());
    }
    System.out.printf("rolling upgrade of %d agents in batches of 25%%, %d ms per step, 6 steps: %d ms in all%n",
        count, stepMillis, TimeUnit.NANOSECONDS.toMillis(total));
    for (int b : received.keySet()) {
      String gap = b == 0 ? String.format("first work %.1f ms after the start",
          (received.get(b).getMin() - started) / 1e6)
          : String.format("gap after batch %d: %.1f ms", b - 1, (received.get(b).getMin() - done.get(b - 1).getMax()) / 1e6);
      System.out.printf("  batch %d (%d nodes): %s; batch took %.0f ms%n", b, received.get(b).getCount(), gap,
          (done.get(b).getMax() - received.get(b).getMin()) / 1e6);
    }
    agents.forEach(ProtocolAgent::close);
  }

  private static void sync(ManagedChannel channel, String target, int count, int rounds, long serverPid)
      throws Exception {
    List<ProtocolAgent> agents = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      agents.add(new ProtocolAgent(channel, CLUSTER, host(i), Map.of(MODULE, "1.0.0"), 0));
    }
    for (int round = 0; round <= rounds; round++) {
      long cpuBefore = ProcCpu.millis(serverPid);
      long started = System.nanoTime();
      agents.parallelStream().forEach(ProtocolAgent::sync);
      for (ProtocolAgent a : agents) {
        a.awaitWatching();
      }
      long wall = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      long cpu = ProcCpu.millis(serverPid) - cpuBefore;
      System.out.printf("%s %d agents: %d ms wall, server CPU %d ms (%.2f ms per agent; 2 write and 1 read"
          + " transactions per agent)%n", round == 0 ? "first registration of" : "sync round " + round + " of", count,
          wall, cpu, cpu / (double) count);
    }
    agents.forEach(ProtocolAgent::close);
  }
}
