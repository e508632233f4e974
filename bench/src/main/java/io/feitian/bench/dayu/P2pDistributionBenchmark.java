package io.feitian.bench.dayu;

import io.feitian.common.grpc.Channels;
import io.feitian.common.security.SecuritySettings;
import io.feitian.dayu.server.DayuServerMain;
import io.feitian.proto.dayu.v1.DayuServiceGrpc;
import io.feitian.proto.dayu.v1.ListClustersRequest;
import io.feitian.testkit.ChildJvm;
import io.feitian.testkit.NetHosts;
import io.feitian.testkit.SamplePackages;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Issue 16's distribution figures: one package to N hosts, each host a network namespace
 * ({@link NetHosts}, prefix {@code fdb}, subnet 215) whose link is limited with {@code tc tbf} in
 * both directions, dayu-server (a child JVM over its embedded H2 database, seeding and tracking)
 * on host 1 behind the same limit, and on each other host a {@link P2pHost}: the agent's own
 * PeerFetcher, PieceStore and PieceServer over real gRPC. For each N, in the same run: peer to
 * peer (every agent serves what it holds), then the single source (every agent's piece server
 * off, so the tracker names no peers and every piece comes from dayu-server). Each phase has its
 * own version of the package (same size) and fresh agent directories.
 *
 * <p>Reported per phase: time from "go" to every host holding the verified package, per-host p50
 * and max, dayu-server's upload (the agents' bytes from the server, and its interface's transmit
 * counter) in copies of the package, bytes from peers, the physical limit (package over per-host
 * bandwidth, plus one piece time for the pipeline), ratios, and the machine's CPU (from
 * /proc/stat, mean and the busiest second) to show whether the cores or the links were the bound.
 *
 * <pre>
 * flock /tmp/feitian-mvn.lock nice -n 19 mvn -B -o -q -pl bench -am package -DskipTests
 * flock /tmp/feitian-mvn.lock nice -n 19 mvn -B -o -q -pl bench dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
 * java -cp bench/target/classes:$(cat bench/target/classpath.txt) io.feitian.bench.dayu.P2pDistributionBenchmark \
 *     [--hosts 10,20] [--size-mib 64] [--mbit 40] [--piece-mib 4 | --piece-kib 256] [--modes p2p,single] [--seed-slots N]
 *     [--host-jvm -XX:StartFlightRecording=filename=HOST/host.jfr,settings=profile]
 * </pre>
 * Needs root (network namespaces).
 */
public final class P2pDistributionBenchmark {
  private static final String MODULE = "app";
  private static final int SERVER_PORT = 7000;
  /** SamplePackages.large's output per filler character (gzip of base64 of random bytes). */
  private static final double PACKAGE_BYTES_PER_FILLER_CHAR = 0.76;

  private P2pDistributionBenchmark() {}

  private record Phase(int hosts, boolean p2p, String version, long packageBytes) {
    String name() {
      return (p2p ? "P2P" : "single source") + ", " + hosts + " hosts";
    }
  }

  /** What one phase measured. */
  private record Result(Phase phase, long[] doneMillis, long fromPeers, long fromServer, long served, long bad,
      long serverWireBytes, double cpuMean, double cpuMax, long hostCpuMillis, long hostJitMillis,
      long serverCpuMillis) {}

  public static void main(String[] args) throws Exception {
    int[] counts = {10, 20};
    int sizeMib = 64;
    int mbit = 40;
    int pieceKib = 4096;
    List<String> modes = List.of("p2p", "single");
    int seedSlots = 0; // 0: dayu-server's default
    List<String> hostJvm = new ArrayList<>();
    List<String> hostSettings = new ArrayList<>();
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--hosts" -> counts = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--size-mib" -> sizeMib = Integer.parseInt(args[i + 1]);
        case "--mbit" -> mbit = Integer.parseInt(args[i + 1]);
        case "--piece-mib" -> pieceKib = 1024 * Integer.parseInt(args[i + 1]);
        case "--piece-kib" -> pieceKib = Integer.parseInt(args[i + 1]);
        case "--modes" -> modes = List.of(args[i + 1].split(","));
        case "--seed-slots" -> seedSlots = Integer.parseInt(args[i + 1]);
        case "--host-jvm" -> hostJvm.add(args[i + 1]); // e.g. -XX:StartFlightRecording=... (HOST in it: the host)
        case "--host-set" -> hostSettings.add(args[i + 1]); // e.g. dayu.agent.peer.upload-slots=2
        default -> throw new IllegalArgumentException(
            "unknown option " + args[i] + " (--hosts, --size-mib, --mbit, --piece-mib, --piece-kib, --modes, --seed-slots, --host-jvm, --host-set)");
      }
    }
    int most = Arrays.stream(counts).max().orElseThrow();
    Path dir = Files.createTempDirectory("p2p-bench");
    System.out.printf("P2P distribution benchmark: hosts %s, package ~%d MiB in %d KiB pieces, %d Mbit/s per host "
        + "each way; files under %s%n", Arrays.toString(counts), sizeMib, pieceKib, mbit, dir);
    try (NetHosts hosts = NetHosts.create("fdb", 215, most + 1)) {
      String target = hosts.address(1) + ":" + SERVER_PORT;
      ChildJvm serverJvm = ChildJvm.of(DayuServerMain.class).launchedBy(hosts.on(1, List.of()))
          .jvmArg("-XX:TieredStopAtLevel=4").jvmArg("-Xmx1g")
          .args("--set", "dayu.data-dir=" + dir.resolve("server"), "--set", "dayu.server.bind=" + hosts.address(1),
              "--set", "dayu.server.port=" + SERVER_PORT, "--set", "dayu.server.p2p.piece-size=" + pieceKib + "KiB")
          .log(dir.resolve("dayu-server.log"));
      if (seedSlots > 0) {
        serverJvm.args("--set", "dayu.server.p2p.upload-slots=" + seedSlots);
      }
      Process server = serverJvm.start();
      ManagedChannel channel = Channels.open(target, SecuritySettings.INSECURE);
      try {
        DayuBenchmark.awaitServer(channel, 120);
        // Publish every phase's version before the links are limited (the upload is not measured).
        List<Phase> phases = new ArrayList<>();
        for (int n : counts) {
          for (String mode : modes) {
            String version = "1.0." + phases.size();
            long size = publish(dir, target, version, (int) (sizeMib * 1024L * 1024 / PACKAGE_BYTES_PER_FILLER_CHAR)
                + phases.size());
            phases.add(new Phase(n, mode.equals("p2p"), version, size));
          }
        }
        for (int h = 1; h <= most + 1; h++) {
          hosts.limit(h, mbit);
        }
        List<Result> results = new ArrayList<>();
        for (Phase phase : phases) {
          results.add(run(hosts, dir, target, phase, mbit, server.pid(), hostJvm, hostSettings));
          print(results.get(results.size() - 1), mbit, pieceKib);
        }
        summary(results, mbit, pieceKib);
      } finally {
        Channels.close(channel);
        server.destroy();
        server.waitFor(10, TimeUnit.SECONDS);
        System.out.println("logs: " + dir);
      }
    }
  }

  /** Publishes a package of about the asked size through the CLI; returns its size in bytes. */
  private static long publish(Path dir, String target, String version, int fillerChars) throws IOException {
    Path pkg = dir.resolve(MODULE + "-" + version + ".tar.gz");
    Files.write(pkg, SamplePackages.large(MODULE, version, fillerChars));
    DayuBenchmark.publish(target, pkg);
    long size = Files.size(pkg);
    Files.delete(pkg);
    return size;
  }

  /** One host's process and what it printed so far (read from its log). */
  private static final class Host {
    final int index;
    final Process process;
    final Path log;
    final OutputStream stdin;
    int statsSeen;

    Host(int index, Process process, Path log) {
      this.index = index;
      this.process = process;
      this.log = log;
      this.stdin = process.getOutputStream();
    }

    void send(String line) throws IOException {
      stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    }

    /** How many lines start with {@code word}. */
    int count(String word) throws IOException {
      return Files.exists(log)
          ? (int) Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> l.startsWith(word)).count() : 0;
    }

    /** The last line starting with {@code word}, or null. A FAILED line ends the benchmark. */
    String line(String word) throws IOException {
      if (!Files.exists(log)) {
        return null;
      }
      String found = null;
      for (String l : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        if (l.startsWith("FAILED")) {
          throw new IllegalStateException("host " + index + ": " + l);
        }
        if (l.startsWith(word)) {
          found = l;
        }
      }
      if (found == null && !process.isAlive()) {
        throw new IllegalStateException("host " + index + " exited (" + process.exitValue() + "); see " + log);
      }
      return found;
    }
  }

  private static Result run(NetHosts hosts, Path dir, String target, Phase phase, int mbit, long serverPid,
      List<String> hostJvm, List<String> hostSettings) throws Exception {
    System.out.printf("%n== %s (version %s, %d bytes) ==%n", phase.name(), phase.version(), phase.packageBytes());
    List<Host> running = new ArrayList<>();
    try {
      for (int i = 2; i <= phase.hosts() + 1; i++) {
        Path root = dir.resolve("v" + phase.version()).resolve("host" + i);
        Path log = root.resolve("host.log");
        List<String> a = new ArrayList<>(List.of("--server", target, "--bind", hosts.address(i), "--host", "host" + i,
            "--root", root.toString(), "--module", MODULE, "--version", phase.version()));
        if (!phase.p2p()) {
          a.addAll(List.of("--set", "dayu.agent.peer.port=-1"));
        }
        for (String setting : hostSettings) {
          a.addAll(List.of("--set", setting));
        }
        // Full JIT (C1 alone hashes SHA-256 at ~15 MB/s instead of ~350); two compiler threads.
        ChildJvm jvm = ChildJvm.of(P2pHost.class).launchedBy(hosts.on(i, List.of()))
            .jvmArg("-XX:TieredStopAtLevel=4").jvmArg("-XX:CICompilerCount=2").jvmArg("-Xmx160m")
            .args(a.toArray(String[]::new)).log(log);
        for (String arg : hostJvm) {
          jvm.jvmArg(arg.replace("HOST", root.toString()));
        }
        Process p = jvm.start();
        running.add(new Host(i, p, log));
      }
      long readyBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      for (Host h : running) {
        while (h.line("READY") == null) {
          if (System.nanoTime() > readyBy) {
            throw new IllegalStateException("host " + h.index + " not ready in 180 s; see " + h.log);
          }
          TimeUnit.MILLISECONDS.sleep(100);
        }
      }
      // Let the JVMs' start-up and warm-up compilation settle before the clock starts: until the
      // hosts' JIT threads use under a tenth of a core for a second (at most a minute).
      long settleBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (long jit = -1; System.nanoTime() < settleBy; ) {
        long now = 0;
        for (Host h : running) {
          now += ProcCpu.compilerMillis(h.process.pid());
        }
        if (jit >= 0 && now - jit < 100) {
          break;
        }
        jit = now;
        TimeUnit.SECONDS.sleep(1);
      }
      long wireBefore = hosts.bytesSent(1);
      long serverCpuBefore = ProcCpu.millis(serverPid);
      long hostCpuBefore = 0;
      long jitBefore = 0;
      for (Host h : running) {
        hostCpuBefore += ProcCpu.millis(h.process.pid());
        jitBefore += ProcCpu.compilerMillis(h.process.pid());
      }
      long[] before = stats(running); // the warm-up served its own pieces: not part of the phase
      CpuSampler cpu = new CpuSampler();
      long started = System.currentTimeMillis();
      for (Host h : running) {
        h.send("go");
      }
      double bytesPerSecond = mbit * 1e6 / 8;
      long deadline = System.nanoTime()
          + TimeUnit.SECONDS.toNanos((long) (3 * phase.hosts() * phase.packageBytes() / bytesPerSecond) + 120);
      long[] done = new long[running.size()];
      for (int k = 0; k < running.size(); k++) {
        String line;
        while ((line = running.get(k).line("DONE")) == null) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("host " + running.get(k).index + " not done by the deadline; see "
                + running.get(k).log);
          }
          cpu.sample();
          TimeUnit.MILLISECONDS.sleep(50);
        }
        done[k] = Long.parseLong(line.split(" ")[1]) - started;
      }
      cpu.sample();
      long serverCpu = ProcCpu.millis(serverPid) - serverCpuBefore;
      long hostCpu = -hostCpuBefore;
      long jit = -jitBefore;
      for (Host h : running) {
        hostCpu += ProcCpu.millis(h.process.pid());
        jit += ProcCpu.compilerMillis(h.process.pid());
      }
      long wire = hosts.bytesSent(1) - wireBefore;
      long[] after = stats(running);
      long fromPeers = after[0] - before[0];
      long fromServer = after[1] - before[1];
      long served = after[2] - before[2];
      long bad = after[3] - before[3];
      return new Result(phase, done, fromPeers, fromServer, served, bad, wire, cpu.mean(), cpu.max(), hostCpu, jit,
          serverCpu);
    } finally {
      for (Host h : running) {
        h.stdin.close(); // the host says it leaves and exits
      }
      for (Host h : running) {
        if (!h.process.waitFor(10, TimeUnit.SECONDS)) {
          ChildJvm.kill9(h.process);
        }
      }
    }
  }

  /** The hosts' counters added up: bytes from peers, from dayu-server, served, bad pieces. */
  private static long[] stats(List<Host> running) throws Exception {
    for (Host h : running) {
      h.statsSeen = h.count("STATS");
      h.send("stats");
    }
    long[] sum = new long[4];
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (Host h : running) {
      while (h.count("STATS") == h.statsSeen) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("host " + h.index + " gave no counters; see " + h.log);
        }
        TimeUnit.MILLISECONDS.sleep(50);
      }
      String[] f = h.line("STATS").split(" ");
      for (int k = 0; k < 4; k++) {
        sum[k] += Long.parseLong(f[k + 1]);
      }
    }
    return sum;
  }

  private static double limitSeconds(long packageBytes, int mbit, int pieceKib) {
    double bytesPerSecond = mbit * 1e6 / 8;
    return (packageBytes + Math.min(packageBytes, pieceKib * 1024L)) / bytesPerSecond;
  }

  private static void print(Result r, int mbit, int pieceKib) {
    long[] sorted = r.doneMillis().clone();
    Arrays.sort(sorted);
    double all = sorted[sorted.length - 1] / 1000.0;
    double limit = limitSeconds(r.phase().packageBytes(), mbit, pieceKib);
    double pkg = r.phase().packageBytes();
    System.out.printf("all %d hosts done in %.1f s (per host p50 %.1f s, min %.1f s, max %.1f s); limit %.1f s;"
            + " %.2fx the limit%n", sorted.length, all, sorted[(sorted.length - 1) / 2] / 1000.0, sorted[0] / 1000.0,
        all, limit, all / limit);
    System.out.printf("dayu-server sent %.2f copies of the package (verified pieces; %.2f copies on its wire with"
            + " headers), peers %.2f copies; served by agents %.2f copies; bad pieces %d%n",
        r.fromServer() / pkg, r.serverWireBytes() / pkg, r.fromPeers() / pkg, r.served() / pkg, r.bad());
    System.out.printf("CPU: machine busy %.0f%% of 2 cores on average, %.0f%% in the busiest second; hosts %.1f s"
            + " (of which JIT compiler threads %.1f s), dayu-server %.1f s of CPU%n", 100 * r.cpuMean(),
        100 * r.cpuMax(), r.hostCpuMillis() / 1000.0, r.hostJitMillis() / 1000.0, r.serverCpuMillis() / 1000.0);
    System.out.println("per host done (s, in host order): " + Arrays.toString(
        Arrays.stream(r.doneMillis()).mapToObj(m -> String.format("%.1f", m / 1000.0)).toArray()));
  }

  private static void summary(List<Result> results, int mbit, int pieceKib) {
    System.out.printf("%n| hosts | mode | all done | p50 | max/limit | server sent (copies) | from peers (copies) |"
        + " CPU mean / busiest s |%n| --- | --- | --- | --- | --- | --- | --- | --- |%n");
    for (Result r : results) {
      long[] sorted = r.doneMillis().clone();
      Arrays.sort(sorted);
      double all = sorted[sorted.length - 1] / 1000.0;
      double pkg = r.phase().packageBytes();
      System.out.printf("| %d | %s | %.1f s | %.1f s | %.2fx | %.2f | %.2f | %.0f%% / %.0f%% |%n", r.phase().hosts(),
          r.phase().p2p() ? "P2P" : "single source", all, sorted[(sorted.length - 1) / 2] / 1000.0,
          all / limitSeconds(r.phase().packageBytes(), mbit, pieceKib), r.fromServer() / pkg, r.fromPeers() / pkg,
          100 * r.cpuMean(), 100 * r.cpuMax());
    }
    for (Result p : results) {
      for (Result s : results) {
        if (p.phase().p2p() && !s.phase().p2p() && p.phase().hosts() == s.phase().hosts()) {
          System.out.printf("%d hosts: P2P %.1fx faster than the single source%n", p.phase().hosts(),
              max(s) / (double) max(p));
        }
      }
    }
  }

  private static long max(Result r) {
    return Arrays.stream(r.doneMillis()).max().orElseThrow();
  }
}
