package io.feitian.bench.dayu;

import io.feitian.common.files.SafeFiles;
import io.feitian.common.grpc.Channels;
import io.feitian.common.security.SecuritySettings;
import io.feitian.dayu.launcher.LauncherFiles;
import io.feitian.dayu.launcher.LauncherState;
import io.feitian.dayu.launcher.RunningAgent;
import io.feitian.dayu.packages.ReleasePackage;
import io.feitian.proto.dayu.v1.AddClusterRequest;
import io.feitian.proto.dayu.v1.AddNodeRequest;
import io.feitian.proto.dayu.v1.DayuServiceGrpc;
import io.feitian.proto.dayu.v1.GetClusterInfoRequest;
import io.feitian.proto.dayu.v1.GetRolloutRequest;
import io.feitian.proto.dayu.v1.GetTransferStatsRequest;
import io.feitian.proto.dayu.v1.NodeTaskInfo;
import io.feitian.proto.dayu.v1.PieceServiceGrpc;
import io.feitian.proto.dayu.v1.RolloutInfo;
import io.feitian.proto.dayu.v1.RolloutKind;
import io.feitian.proto.dayu.v1.RolloutServiceGrpc;
import io.feitian.proto.dayu.v1.RolloutStrategy;
import io.feitian.proto.dayu.v1.StartRolloutRequest;
import io.feitian.proto.dayu.v1.TransferStats;
import io.feitian.testkit.ChildJvm;
import io.feitian.testkit.FreePorts;
import io.feitian.testkit.NetHosts;
import io.feitian.testkit.SamplePackages;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Issue 16's self-upgrade figure: the time from publishing a new dayu-agent version to every agent
 * running it, on N hosts. Each host is a network namespace ({@link NetHosts}, prefix {@code fds},
 * subnet 217, racks of {@value #RACK_SIZE}) running the built tree's {@code bin/dayu-agent-launcher},
 * which runs the tree's {@code bin/dayu-agent} (the base version) with its piece server on the
 * host's address; dayu-server (the tree's {@code bin/dayu-server}, embedded H2) listens on the
 * bridge's gateway address. Once every base agent has confirmed to its launcher and the machine is
 * quiet, the clock starts: the new version 2.0.0 is published through the CLI, then deployed to
 * every node in one batch ({@code DEPLOY dayu-agent=2.0.0}, batch 100%, as DayuMultiHostIT's
 * scenario 4). Every {@value #POLL_MS} ms the benchmark reads each host's launcher files
 * ({@link RunningAgent}): when the host's agent process is 2.0.0, and when that process confirmed
 * its launch (registered with dayu-server, Watch open). It also records when the rollout reached
 * SUCCEEDED and when dayu-server reported dayu-agent 2.0.0 on every node.
 *
 * <p>The version ({@code --package}): {@code real}, the release package the build makes
 * ({@code packages/dayu-agent-<release>.tar.gz} next to the tree, ~66 MB: bin/, conf/, lib/) with
 * only its descriptor's version line rewritten, which is what an operator ships; or {@code thin},
 * a package whose {@code bin/dayu-agent} execs the tree's (a few hundred bytes: the switch and the
 * new agent's start without the distribution).
 *
 * <p>Reported: publish time; first and last host running 2.0.0 confirmed, from the publish and
 * from the rollout's start; per host p50 and max; when each host's 2.0.0 process started (the
 * package fetched, verified and installed); the rollout's end; dayu-server's upload (the agents'
 * bytes from the server, and the bridge's transmit counter) and the bytes from peers, in copies
 * of the package; the machine's CPU (/proc/stat, mean and busiest second). The agents' transfer
 * counters ({@code GetTransferStats} on their piece servers) live as long as an agent process, so
 * they are read every {@value #STATS_MS} ms and a replaced agent's last reading is kept.
 *
 * <pre>
 * flock /tmp/feitian-mvn.lock nice -n 19 mvn -B -o -q -DskipTests package   # the tree and its release packages
 * flock /tmp/feitian-mvn.lock nice -n 19 mvn -B -o -q -pl bench -am package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
 * flock /tmp/feitian-loop.lock flock /tmp/feitian-mvn.lock java -cp bench/target/classes:$(cat bench/target/classpath.txt) \
 *     io.feitian.bench.dayu.SelfUpgradeBenchmark [--hosts 20] [--package real|thin] [--mbit N] \
 *     [--dist deploy/target/feitian-0.1.0-SNAPSHOT] [--trial-window 5m] [--agent-opts "-Xmx128m ..."]
 * </pre>
 * Needs root (network namespaces) and the built tree. {@code -pl bench} without {@code -am} would
 * put the modules' jars from ~/.m2 on the classpath, not this tree's. The hosts' roots (gigabytes
 * with the real package) are deleted after a run that succeeded; the logs are kept.
 */
public final class SelfUpgradeBenchmark {
  private static final String CLUSTER = "bench";
  private static final String VERSION = "2.0.0";
  private static final int RACK_SIZE = 4;
  private static final int PEER_PORT = 7500;
  private static final long POLL_MS = 100;
  private static final long STATS_MS = 250;
  private static final Set<String> ENDED = Set.of("SUCCEEDED", "FAILED", "ABORTED", "ROLLED_BACK");
  /** Small heaps, C1 only, as DayuMultiHostIT: some forty JVMs share the cores. */
  private static final String SMALL_JVM = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k";

  private SelfUpgradeBenchmark() {}

  /** When things happened, in ms from the start of the publish; -1 not (yet). */
  private static final class Times {
    long published = -1;
    long rolloutStarted = -1;
    long rolloutSucceeded = -1;
    long reported = -1;
    final long[] started;
    final long[] confirmed;

    Times(int hosts) {
      started = new long[hosts + 1];
      confirmed = new long[hosts + 1];
      Arrays.fill(started, -1);
      Arrays.fill(confirmed, -1);
    }
  }

  /**
   * One host's transfer counters over its agents' lives: peers, server, served, bad pieces. A new
   * agent starts from zero, so a reading below the last one means the last agent's are final.
   */
  private static final class Tally {
    private final long[] ended = new long[4];
    private long[] last = new long[4];

    synchronized void see(TransferStats s) {
      long[] now = {s.getBytesFromPeers(), s.getBytesFromServer(), s.getBytesServed(), s.getBadPieces()};
      for (int k = 0; k < 4; k++) {
        if (now[k] < last[k]) {
          for (int j = 0; j < 4; j++) {
            ended[j] += last[j];
          }
          break;
        }
      }
      last = now;
    }

    synchronized long get(int k) {
      return ended[k] + last[k];
    }
  }

  public static void main(String[] args) throws Exception {
    int count = 20;
    Path dist = Path.of("deploy/target/feitian-0.1.0-SNAPSHOT");
    int mbit = 0;
    String kind = "real";
    String trialWindow = "5m";
    String agentOpts = "-Xmx128m " + SMALL_JVM;
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--hosts" -> count = Integer.parseInt(args[i + 1]);
        case "--dist" -> dist = Path.of(args[i + 1]);
        case "--mbit" -> mbit = Integer.parseInt(args[i + 1]);
        case "--package" -> kind = args[i + 1];
        case "--trial-window" -> trialWindow = args[i + 1];
        case "--agent-opts" -> agentOpts = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (--hosts, --dist, --mbit, --package real|thin, --trial-window, --agent-opts)");
      }
    }
    dist = dist.toAbsolutePath().normalize();
    for (String program : List.of("dayu-server", "dayu-agent-launcher", "dayu-agent")) {
      if (!Files.isExecutable(dist.resolve("bin").resolve(program))) {
        throw new IllegalStateException("no built tree at " + dist + " (bin/" + program + " is missing): build it with"
            + " `mvn -B -o -DskipTests package`, or name one with --dist DIR");
      }
    }
    Path released = releasePackage(dist);
    Path dir = Files.createTempDirectory("selfupgrade-bench");
    Path pkg = dir.resolve(LauncherFiles.MODULE + "-" + VERSION + ".tar.gz");
    switch (kind) {
      case "real" -> SamplePackages.relabeled(released, pkg, VERSION);
      case "thin" -> Files.write(pkg, SamplePackages.withScript(ReleasePackage.descriptorText(released), VERSION,
          LauncherFiles.MODULE, "exec '" + dist.resolve("bin/dayu-agent") + "' \"$@\"\n"));
      default -> throw new IllegalArgumentException("--package is real or thin, got " + kind);
    }
    long size = Files.size(pkg);
    System.out.printf("Self-upgrade benchmark: %d hosts, dayu-agent %s %s package (%d bytes, from %s), %s per host;"
            + " tree %s; agents %s, trial window %s; files under %s%n", count, VERSION, kind, size, released.getFileName(),
        mbit > 0 ? mbit + " Mbit/s" : "no bandwidth limit", dist, agentOpts, trialWindow, dir);

    List<Process> launchers = new ArrayList<>();
    Process server = null;
    ManagedChannel channel = null;
    List<ManagedChannel> peers = new ArrayList<>();
    ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();
    boolean ok = false;
    try (NetHosts hosts = NetHosts.create("fds", 217, count)) {
      if (mbit > 0) {
        for (int i = 1; i <= count; i++) {
          hosts.limit(i, mbit);
        }
      }
      int port = FreePorts.one();
      String target = hosts.gatewayAddress() + ":" + port;
      // The server with its full JIT (it hashes the published package): one JVM.
      server = start(List.of(dist.resolve("bin/dayu-server").toString(), "--set", "dayu.server.bind="
          + hosts.gatewayAddress(), "--set", "dayu.server.port=" + port, "--set", "dayu.data-dir=" + dir.resolve("server")),
          Map.of("FEITIAN_DAYU_SERVER_JAVA_OPTS", "-Xmx512m -XX:+UseSerialGC"), dir.resolve("logs/dayu-server.log"));
      channel = Channels.open(target, SecuritySettings.INSECURE);
      DayuBenchmark.awaitServer(channel, 120);
      DayuServiceGrpc.DayuServiceBlockingStub dayu = DayuServiceGrpc.newBlockingStub(channel);
      dayu.addCluster(AddClusterRequest.newBuilder().setName(CLUSTER).build());
      for (int i = 1; i <= count; i++) {
        dayu.addNode(AddNodeRequest.newBuilder().setCluster(CLUSTER).setHost(host(i)).setRack(rack(i))
            .addRoles("worker").build());
      }
      for (int i = 1; i <= count; i++) {
        launchers.add(start(hosts.on(i, List.of(dist.resolve("bin/dayu-agent-launcher").toString(),
            "--trial-window", trialWindow, "--stop-grace", "10s",
            "--set", "dayu.agent.server=" + target, "--set", "dayu.agent.cluster=" + CLUSTER,
            "--set", "dayu.agent.host=" + host(i), "--set", "dayu.agent.root=" + root(dir, i),
            "--set", "dayu.agent.peer.bind=" + hosts.address(i), "--set", "dayu.agent.peer.port=" + PEER_PORT)),
            Map.of("FEITIAN_DAYU_AGENT_JAVA_OPTS", agentOpts, "FEITIAN_DAYU_AGENT_LAUNCHER_JAVA_OPTS", SMALL_JVM),
            dir.resolve("logs").resolve(host(i) + ".log")));
        peers.add(Channels.open(hosts.address(i) + ":" + PEER_PORT, SecuritySettings.INSECURE));
      }
      long setUp = System.nanoTime();
      awaitBaseAgents(dir, count, launchers);
      System.out.printf("%d base agents confirmed after %.1f s%n", count, (System.nanoTime() - setUp) / 1e9);
      settle();

      Tally[] tallies = new Tally[count + 1];
      for (int i = 1; i <= count; i++) {
        tallies[i] = new Tally();
      }
      Runnable readStats = () -> {
        for (int i = 1; i < tallies.length; i++) {
          try {
            tallies[i].see(PieceServiceGrpc.newBlockingStub(peers.get(i - 1)).withDeadlineAfter(2, TimeUnit.SECONDS)
                .getTransferStats(GetTransferStatsRequest.getDefaultInstance()));
          } catch (StatusRuntimeException e) {
            // the host's agent being replaced: its successor answers the next round
          }
        }
      };
      readStats.run();
      long[] before = {sum(tallies, 0), sum(tallies, 1)};
      long wireBefore = hosts.gatewayBytesSent();
      poller.scheduleWithFixedDelay(readStats, STATS_MS, STATS_MS, TimeUnit.MILLISECONDS);
      CpuSampler cpu = new CpuSampler();
      Times times = run(channel, target, pkg, dir, count, launchers, cpu);
      cpu.sample();
      poller.shutdown();
      poller.awaitTermination(30, TimeUnit.SECONDS);
      readStats.run();
      long wire = hosts.gatewayBytesSent() - wireBefore;
      checkLaunchers(dir, count);
      print(times, tallies, count, kind, size, sum(tallies, 0) - before[0], sum(tallies, 1) - before[1], wire, cpu);
      ok = true;
    } finally {
      poller.shutdownNow();
      peers.forEach(Channels::close);
      if (channel != null) {
        Channels.close(channel);
      }
      // SIGTERM: each launcher stops its agent, then ends; closing the hosts kills what is left in them.
      launchers.forEach(Process::destroy);
      for (Process l : launchers) {
        if (!l.waitFor(30, TimeUnit.SECONDS)) {
          ChildJvm.kill9(l);
        }
      }
      if (server != null) {
        server.destroy();
        if (!server.waitFor(20, TimeUnit.SECONDS)) {
          ChildJvm.kill9(server);
        }
      }
      if (ok) {
        SafeFiles.deleteTree(dir.resolve("hosts")); // the agents' pieces and installed versions: gigabytes
      }
      System.out.println("logs: " + dir.resolve("logs") + (ok ? "" : ", agent roots: " + dir.resolve("hosts")));
    }
  }

  /** The build's release package of dayu-agent: {@code packages/dayu-agent-<release>.tar.gz} next to the tree. */
  private static Path releasePackage(Path dist) throws IOException {
    Path packages = dist.resolveSibling("packages");
    List<Path> found;
    try (Stream<Path> files = Files.isDirectory(packages) ? Files.list(packages) : Stream.empty()) {
      found = files.filter(f -> f.getFileName().toString().matches("dayu-agent-[0-9][^-]*\\.tar\\.gz")).toList();
    }
    if (found.size() != 1) {
      throw new IllegalStateException("expected one dayu-agent release package in " + packages + ", found " + found
          + ": `mvn -B -o -DskipTests package` builds it");
    }
    return found.get(0);
  }

  private static String host(int i) {
    return "h" + i;
  }

  private static String rack(int i) {
    return "r" + ((i - 1) / RACK_SIZE + 1);
  }

  private static Path root(Path dir, int i) {
    return dir.resolve("hosts").resolve(host(i));
  }

  /** A program of the tree, with the JDK running the benchmark and no FEITIAN_* settings of the caller's. */
  private static Process start(List<String> command, Map<String, String> env, Path log) throws IOException {
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("FEITIAN_") || k.equals("JAVA_TOOL_OPTIONS"));
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().putAll(env);
    return pb.start();
  }

  private static void awaitBaseAgents(Path dir, int count, List<Process> launchers) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    for (int i = 1; i <= count; i++) {
      while (!RunningAgent.of(LauncherFiles.under(root(dir, i))).map(a -> a.confirmedAs(LauncherState.BASE))
          .orElse(false)) {
        checkAlive(dir, launchers);
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(host(i) + "'s base agent did not confirm in 5 min: "
              + RunningAgent.of(LauncherFiles.under(root(dir, i))) + "; see " + dir.resolve("logs"));
        }
        TimeUnit.MILLISECONDS.sleep(POLL_MS);
      }
    }
  }

  /** Until the machine is quiet (the JVMs' start-up done): under a third busy for a second, at most two minutes. */
  private static void settle() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    double busy = 1;
    while (busy > 0.33 && System.nanoTime() < deadline) {
      CpuSampler s = new CpuSampler();
      TimeUnit.SECONDS.sleep(1);
      s.sample();
      busy = s.mean();
    }
    System.out.printf("machine %.0f%% busy when the clock starts%n", 100 * busy);
  }

  private static void checkAlive(Path dir, List<Process> launchers) {
    for (int i = 1; i <= launchers.size(); i++) {
      if (!launchers.get(i - 1).isAlive()) {
        throw new IllegalStateException(host(i) + "'s launcher exited (" + launchers.get(i - 1).exitValue() + "); see "
            + dir.resolve("logs").resolve(host(i) + ".log"));
      }
    }
  }

  /** Publishes, rolls out and watches until every host confirmed 2.0.0 and dayu-server says so. */
  private static Times run(ManagedChannel channel, String target, Path pkg, Path dir, int count,
      List<Process> launchers, CpuSampler cpu) throws Exception {
    Times times = new Times(count);
    RolloutServiceGrpc.RolloutServiceBlockingStub rollouts = RolloutServiceGrpc.newBlockingStub(channel);
    DayuServiceGrpc.DayuServiceBlockingStub dayu = DayuServiceGrpc.newBlockingStub(channel);
    long t0 = System.nanoTime();
    DayuBenchmark.publish(target, pkg);
    times.published = millisSince(t0);
    RolloutInfo r = rollouts.startRollout(StartRolloutRequest.newBuilder().setCluster(CLUSTER)
        .setKind(RolloutKind.DEPLOY).putTargets(LauncherFiles.MODULE, VERSION)
        .setStrategy(RolloutStrategy.newBuilder().addBatches("100%").setMinHealthy("0s")
            .setDefaultMaxUnavailable("100%"))
        .build());
    times.rolloutStarted = millisSince(t0);
    long rolloutId = r.getId();
    long deadline = t0 + TimeUnit.MINUTES.toNanos(20);
    int confirmed = 0;
    for (long tick = 0; confirmed < count || times.rolloutSucceeded < 0 || times.reported < 0; tick++) {
      for (int i = 1; i <= count; i++) {
        if (times.confirmed[i] >= 0) {
          continue;
        }
        var agent = RunningAgent.of(LauncherFiles.under(root(dir, i)));
        if (agent.isPresent() && agent.get().version().equals(VERSION)) {
          long now = millisSince(t0);
          if (times.started[i] < 0) {
            times.started[i] = now;
          }
          if (agent.get().confirmedAs(VERSION)) {
            times.confirmed[i] = now;
            confirmed++;
          }
        }
      }
      if (times.rolloutSucceeded < 0 && tick % 3 == 0) {
        r = rollouts.withDeadlineAfter(10, TimeUnit.SECONDS).getRollout(GetRolloutRequest.newBuilder()
            .setId(rolloutId).build());
        if (r.getState().equals("SUCCEEDED")) {
          times.rolloutSucceeded = millisSince(t0);
        } else if (ENDED.contains(r.getState())) {
          throw new IllegalStateException(describe(r) + "\nlogs: " + dir.resolve("logs"));
        }
      }
      if (times.reported < 0 && tick % 3 == 1 && dayu.withDeadlineAfter(10, TimeUnit.SECONDS)
          .getClusterInfo(GetClusterInfoRequest.newBuilder().setCluster(CLUSTER).build()).getNodesList().stream()
          .filter(n -> VERSION.equals(n.getModulesMap().get(LauncherFiles.MODULE))).count() == count) {
        times.reported = millisSince(t0);
      }
      checkAlive(dir, launchers);
      cpu.sample();
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not done in 20 min: " + confirmed + " of " + count + " hosts confirmed "
            + VERSION + "; " + describe(r) + "\nlogs: " + dir.resolve("logs"));
      }
      TimeUnit.MILLISECONDS.sleep(POLL_MS);
    }
    return times;
  }

  /** Every launcher's state: 2.0.0 confirmed, no trial left and no failure. */
  private static void checkLaunchers(Path dir, int count) throws IOException {
    LauncherState expected = new LauncherState(VERSION, Optional.empty(), Optional.empty());
    for (int i = 1; i <= count; i++) {
      LauncherState s = LauncherFiles.under(root(dir, i)).state();
      if (!s.equals(expected)) {
        throw new IllegalStateException(host(i) + "'s launcher state is " + s + "; see " + dir.resolve("logs"));
      }
    }
  }

  private static String describe(RolloutInfo r) {
    StringBuilder b = new StringBuilder("rollout " + r.getId() + " " + r.getState()
        + (r.getReason().isEmpty() ? "" : " (" + r.getReason() + ")"));
    for (NodeTaskInfo t : r.getTasksList()) {
      if (!t.getState().equals("SUCCEEDED")) {
        b.append(String.format("%n  %s %s %s %d/%d %s", t.getHost(), t.getPurpose(), t.getState(), t.getStepsDone(),
            t.getStepCount(), t.getDetail()));
      }
    }
    return b.toString();
  }

  private static long millisSince(long t0) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }

  private static long sum(Tally[] tallies, int k) {
    long s = 0;
    for (int i = 1; i < tallies.length; i++) {
      s += tallies[i].get(k);
    }
    return s;
  }

  private static double seconds(long millis) {
    return millis / 1000.0;
  }

  private static void print(Times t, Tally[] tallies, int count, String kind, long size, long fromPeers,
      long fromServer, long wire, CpuSampler cpu) {
    long[] confirmed = Arrays.copyOfRange(t.confirmed, 1, count + 1);
    long[] started = Arrays.copyOfRange(t.started, 1, count + 1);
    Arrays.sort(confirmed);
    Arrays.sort(started);
    long first = confirmed[0];
    long last = confirmed[count - 1];
    long p50 = confirmed[(count - 1) / 2];
    double pkg = size;
    System.out.printf("%nper host (s from the publish's start): 2.0.0 started / confirmed; copies of the package from"
        + " peers / from dayu-server / served%n");
    for (int i = 1; i <= count; i++) {
      System.out.printf("  %s (%s): %.1f / %.1f; %.2f / %.2f / %.2f%n", host(i), rack(i), seconds(t.started[i]),
          seconds(t.confirmed[i]), tallies[i].get(0) / pkg, tallies[i].get(1) / pkg, tallies[i].get(2) / pkg);
    }
    System.out.printf("published in %.1f s; rollout started at %.1f s; 2.0.0 processes started %.1f to %.1f s;"
            + " hosts confirmed 2.0.0 from %.1f to %.1f s (p50 %.1f s), i.e. %.1f to %.1f s after the rollout's"
            + " start; rollout SUCCEEDED at %.1f s; dayu-server reported 2.0.0 on every node at %.1f s%n",
        seconds(t.published), seconds(t.rolloutStarted), seconds(started[0]), seconds(started[count - 1]),
        seconds(first), seconds(last), seconds(p50), seconds(first - t.rolloutStarted),
        seconds(last - t.rolloutStarted), seconds(t.rolloutSucceeded), seconds(t.reported));
    System.out.printf("dayu-server sent %.2f copies of the package to the agents (verified pieces; %.2f copies on"
            + " the bridge with headers and the other calls), peers %.2f copies; bad pieces %d; machine CPU busy"
            + " %.0f%% of %d cores on average, %.0f%% in the busiest second%n", fromServer / pkg, wire / pkg,
        fromPeers / pkg, sum(tallies, 3), 100 * cpu.mean(), Runtime.getRuntime().availableProcessors(),
        100 * cpu.max());
    System.out.printf("%n| hosts | package | publish | first / last host on 2.0.0 | after the rollout's start |"
        + " per host p50 / max | rollout SUCCEEDED | server reports all | server sent (copies; wire) |"
        + " from peers (copies) | CPU mean / busiest s |%n"
        + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |%n");
    System.out.printf("| %d | %s (%.1f MB) | %.1f s | %.1f / %.1f s | %.1f / %.1f s | %.1f / %.1f s | %.1f s |"
            + " %.1f s | %.2f; %.2f | %.2f | %.0f%% / %.0f%% |%n", count, kind, size / 1e6, seconds(t.published),
        seconds(first), seconds(last), seconds(first - t.rolloutStarted), seconds(last - t.rolloutStarted),
        seconds(p50), seconds(last), seconds(t.rolloutSucceeded), seconds(t.reported), fromServer / pkg, wire / pkg,
        fromPeers / pkg, 100 * cpu.mean(), 100 * cpu.max());
  }
}
