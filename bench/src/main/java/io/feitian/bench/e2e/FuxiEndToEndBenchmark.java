package io.feitian.bench.e2e;

import io.feitian.client.ClusterTarget;
import io.feitian.client.FeitianClient;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.ClusterStatus;
import io.feitian.proto.fuxi.v1.GetClusterStatusRequest;
import io.feitian.proto.fuxi.v1.NodeState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * End-to-end benchmark of a real fuxi-master (a separate JVM started with the
 * deploy launcher's flags, -Xmx1g) over gRPC, with simulated task-workers
 * ({@link SimNodes}) and simulated application masters ({@link SimApps}, the
 * real client library's {@code AppMasterSession}) in this process.
 *
 * <p>Modes:
 * <ul>
 *   <li>{@code throughput}: one master; nodes register, applications attach
 *       and churn (every grant beyond {@code --hold} is given back at once and
 *       asked for again); after {@code --warmup} seconds, {@code --windows}
 *       windows of {@code --seconds} each report grants/s (as received by the
 *       application masters), request-to-grant latency, and CPU used by the
 *       master and by this process.</li>
 *   <li>{@code failover}: two masters; in steady churn the leader is killed
 *       with SIGKILL and the benchmark times the new leader's first grant as
 *       an application master receives it (grant id epoch above the old
 *       one), plus when all nodes re-registered and all masters re-attached,
 *       then stops the churn and compares the leader's books with what the
 *       masters and nodes hold. {@code --runs} runs, each on a fresh cluster
 *       (or, with {@code --fresh-cluster false}, one after another with a
 *       replacement standby started after each).</li>
 *   <li>{@code memory}: one master; {@code --nodes} nodes and {@code --apps}
 *       applications each holding {@code --hold} grants (no churn); the
 *       master's heap in use after two full GCs (jcmd GC.run, then jstat).</li>
 *   <li>{@code worker-rss}: one master and one real task-worker per JVM flag
 *       set, one at a time; VmRSS after it registered and settled
 *       {@code --settle} seconds.</li>
 * </ul>
 *
 * <p>Everything started is killed at the end, also on failure and on Ctrl-C
 * (shutdown hook). Logs stay in {@code --dir} (default a new temp directory).
 * Results are printed as Markdown tables. Commands and results:
 * docs/PERFORMANCE.md, "End to end through fuxi-master".
 *
 * <pre>
 * java -Xmx3g -cp "bench/target/classes:$(cat /tmp/bench-cp.txt)" io.feitian.bench.e2e.FuxiEndToEndBenchmark \
 *     --mode throughput --nodes 1000 --apps 1000 --outstanding 8 --warmup 20 --seconds 30 --windows 2
 * </pre>
 */
public final class FuxiEndToEndBenchmark {
  private String mode = "throughput";
  private int nodes = 1000;
  private int racks = 40;
  private int apps = 1000;
  private int outstanding = 8;
  private int hold = 0;
  private double seconds = 30;
  private double warmup = 20;
  private int windows = 2;
  private int runs = 5;
  private int clients = 4;
  private int nodeChannels = 4;
  private long nodeBackoffMillis = 100;
  private double settle = 10;
  private String heartbeat = "1s";
  private boolean relax = true;
  private boolean freshCluster = true;
  private int idleApps = 0;
  private String jfr;
  private long taskMillis = 0;
  private List<String> masterJvm = new ArrayList<>();
  private Path dir;

  private BenchCluster cluster;
  private LeaderCache leaders;
  private final List<FeitianClient> feitianClients = new ArrayList<>();
  private SimNodes simNodes;
  private SimApps simApps;
  private boolean closed;

  public static void main(String[] args) throws Exception {
    if (System.getProperty("FEITIAN_LOG_LEVEL") == null && System.getenv("FEITIAN_LOG_LEVEL") == null) {
      // This process's own logging (client library, ZooKeeper): warnings only. The daemons log at INFO.
      System.setProperty("FEITIAN_LOG_LEVEL", "WARN");
    }
    FuxiEndToEndBenchmark b = new FuxiEndToEndBenchmark();
    try {
      b.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(b::close, "bench-cleanup"));
    int status = 0;
    try {
      b.run();
    } catch (Exception e) {
      e.printStackTrace();
      status = 1;
    } finally {
      b.close();
    }
    System.exit(status);
  }

  private void parse(String[] args) throws Exception {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + a);
      }
      String v = args[++i];
      switch (a) {
        case "--mode" -> mode = v;
        case "--nodes" -> nodes = Integer.parseInt(v);
        case "--racks" -> racks = Integer.parseInt(v);
        case "--apps" -> apps = Integer.parseInt(v);
        case "--outstanding" -> outstanding = Integer.parseInt(v);
        case "--hold" -> hold = Integer.parseInt(v);
        case "--seconds" -> seconds = Double.parseDouble(v);
        case "--warmup" -> warmup = Double.parseDouble(v);
        case "--windows" -> windows = Integer.parseInt(v);
        case "--runs" -> runs = Integer.parseInt(v);
        case "--clients" -> clients = Integer.parseInt(v);
        case "--node-channels" -> nodeChannels = Integer.parseInt(v);
        case "--node-backoff-ms" -> nodeBackoffMillis = Long.parseLong(v);
        case "--settle" -> settle = Double.parseDouble(v);
        case "--heartbeat-interval" -> heartbeat = v;
        case "--relax" -> relax = Boolean.parseBoolean(v);
        case "--fresh-cluster" -> freshCluster = Boolean.parseBoolean(v);
        case "--idle-apps" -> idleApps = Integer.parseInt(v);
        case "--task-ms" -> taskMillis = Long.parseLong(v);
        case "--jfr" -> jfr = Path.of(v).toAbsolutePath().toString();
        case "--master-jvm" -> masterJvm = Arrays.stream(v.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
        case "--dir" -> dir = Path.of(v);
        default -> throw new IllegalArgumentException("unknown option " + a
            + " (--mode throughput|failover|memory|worker-rss, --nodes, --racks, --apps, --outstanding, --hold,"
            + " --seconds, --warmup, --windows, --runs, --clients, --node-channels, --node-backoff-ms, --settle,"
            + " --heartbeat-interval, --relax true|false, --fresh-cluster true|false, --idle-apps, --task-ms, --jfr FILE, --master-jvm \"FLAGS\", --dir)");
      }
    }
    if (!List.of("throughput", "failover", "memory", "worker-rss").contains(mode)) {
      throw new IllegalArgumentException("--mode must be throughput, failover, memory or worker-rss");
    }
    if (dir == null) {
      dir = Files.createTempDirectory("feitian-e2e-");
    }
    Files.createDirectories(dir);
  }

  private void run() throws Exception {
    say("mode %s; logs in %s; machine: %d cores, load %s", mode, dir, Runtime.getRuntime().availableProcessors(),
        ProcStats.loadavg());
    cluster = new BenchCluster(dir);
    switch (mode) {
      case "throughput" -> throughput();
      case "failover" -> failover();
      case "memory" -> memory();
      case "worker-rss" -> workerRss();
      default -> throw new IllegalStateException(mode);
    }
  }

  // ---- setup ------------------------------------------------------------------------------------

  private List<String> masterArgs() {
    return List.of("--set", "fuxi.master.heartbeat-interval=" + heartbeat);
  }

  private BenchCluster.Leader startLeader() throws InterruptedException {
    String name = cluster.startMaster(masterJvm, masterArgs());
    BenchCluster.Leader l = cluster.awaitLeader(0, 60_000);
    say("%s leads as %s with epoch %d (pid %d)", l.name(), l.address(), l.epoch(), cluster.pid(name));
    return l;
  }

  private void connect() {
    leaders = new LeaderCache(cluster.zkConnect(), BenchCluster.CLUSTER);
    for (int i = 0; i < clients; i++) {
      feitianClients.add(new FeitianClient(new ClusterTarget.ZooKeeper(cluster.zkConnect(), BenchCluster.CLUSTER,
          "feitian"), FeitianClient.Options.defaults().withRetryWindow(Duration.ofSeconds(60))));
    }
  }

  private void startNodes(long epoch) throws InterruptedException {
    Resources total = Resources.newBuilder().setCpuMillis(16_000).setMemoryMib(65_536).build();
    simNodes = new SimNodes(leaders, nodes, racks, total, nodeChannels, nodeBackoffMillis);
    long t0 = System.nanoTime();
    simNodes.start();
    await("all " + nodes + " nodes registered", 180, () -> simNodes.registeredAtLeast(epoch) == nodes);
    say("%d nodes (16 cores / 64 GiB, %d racks) registered in %.1f s", nodes, racks, secondsSince(t0));
  }

  private void startApps(int perAppOutstanding, int perAppHold, boolean churn) {
    simApps = new SimApps(feitianClients, perAppOutstanding, perAppHold, nodes, racks, relax, taskMillis);
    simApps.churn = churn;
    long t0 = System.nanoTime();
    simApps.submit(apps);
    simApps.submitIdle(idleApps);
    say("%d applications submitted (+ %d without a master) in %.1f s", apps, idleApps, secondsSince(t0));
    t0 = System.nanoTime();
    simApps.start();
    say("%d application masters attached and asking (%d outstanding each, %d held each) in %.1f s", apps,
        perAppOutstanding, perAppHold, secondsSince(t0));
  }

  // ---- throughput --------------------------------------------------------------------------------

  private void throughput() throws Exception {
    BenchCluster.Leader leader = startLeader();
    long masterPid = cluster.pid(leader.name());
    connect();
    startNodes(leader.epoch());
    startApps(outstanding, hold, true);
    say("warming up for %.0f s", warmup);
    progress(warmup, masterPid);
    List<String[]> rows = new ArrayList<>();
    for (int w = 1; w <= windows; w++) {
      rows.add(window(w, masterPid));
    }
    ProcStats.Heap heap = ProcStats.jstat(masterPid);
    System.out.println();
    System.out.printf(Locale.ROOT, "# throughput: %d nodes x 16 cores / 64 GiB in %d racks, %d application masters, "
            + "%d outstanding + %d held each, %s; master -Xmx1g (launcher flags%s); %d cores%n",
        nodes, racks, apps, outstanding, hold,
        taskMillis == 0 ? "zero-length tasks" : "tasks of " + taskMillis + " ms", masterJvm.isEmpty() ? "" : " + " + String.join(" ", masterJvm),
        Runtime.getRuntime().availableProcessors());
    table(new String[] {"window", "seconds", "grants", "grants/s", "min 1s", "max 1s", "p50 ms", "p99 ms",
        "p99.9 ms", "max ms", "master cores", "master cpu µs/grant", "bench cores", "other cores",
        "s with a Maven build"}, rows);
    System.out.printf(Locale.ROOT, "master heap now %.0f MiB used of %.0f MiB; %s young / %s full GCs so far%n",
        heap.usedKib() / 1024, heap.capacityKib() / 1024, fmt0(heap.youngGcs()), fmt0(heap.fullGcs()));
    System.out.printf(Locale.ROOT, "nodes: %d registrations, %d directives; apps: %d revoked, %d ended streams%n",
        simNodes.registrations.sum(), simNodes.directives.sum(), simApps.revoked.sum(), simApps.ended.sum());
    System.out.println(booksCheck().text());
  }

  /** Prints grants/s every 5 s for a while. */
  private void progress(double secs, long masterPid) throws InterruptedException {
    long end = System.nanoTime() + (long) (secs * 1e9);
    while (System.nanoTime() < end) {
      long g0 = simApps.granted.sum();
      double c0 = ProcStats.cpuSeconds(masterPid);
      long t0 = System.nanoTime();
      Thread.sleep(Math.min(5000, Math.max(1, (end - t0) / 1_000_000)));
      double dt = secondsSince(t0);
      say("  %.0f grants/s, master cpu %.2f cores; grants held by nodes %d, by application masters %d",
          (simApps.granted.sum() - g0) / dt, (ProcStats.cpuSeconds(masterPid) - c0) / dt, simNodes.heldGrants(),
          simApps.sessionGrants());
    }
  }

  private String[] window(int w, long masterPid) throws InterruptedException {
    simApps.latency.reset();
    for (Histogram h : simApps.byShape) {
      h.reset();
    }
    simApps.byLevel.values().forEach(Histogram::reset);
    long g0 = simApps.granted.sum();
    double mc0 = ProcStats.cpuSeconds(masterPid);
    double bc0 = ProcStats.selfCpuSeconds();
    double all0 = ProcStats.machineBusySeconds();
    int mavenSeconds = 0;
    if (jfr != null && w == 1) {
      // A flight recording of the master over the first window (JFR, profile settings).
      say("%s", ProcStats.jdkTool("jcmd", Long.toString(masterPid), "JFR.start", "name=bench", "settings=profile")
          .strip().replace('\n', ' '));
    }
    long t0 = System.nanoTime();
    simApps.measuring = true;
    List<Double> perSecond = new ArrayList<>();
    long last = g0;
    long lastT = t0;
    long end = t0 + (long) (seconds * 1e9);
    while (System.nanoTime() < end) {
      Thread.sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
      if (ProcStats.mavenRunning()) {
        mavenSeconds++;
      }
      long now = System.nanoTime();
      long g = simApps.granted.sum();
      if (now - lastT > 500_000_000L) {
        perSecond.add((g - last) / ((now - lastT) / 1e9));
      }
      last = g;
      lastT = now;
    }
    simApps.measuring = false;
    double dt = secondsSince(t0);
    if (jfr != null && w == 1) {
      say("%s", ProcStats.jdkTool("jcmd", Long.toString(masterPid), "JFR.stop", "name=bench", "filename=" + jfr)
          .strip().replace('\n', ' '));
    }
    long grants = simApps.granted.sum() - g0;
    double mc = ProcStats.cpuSeconds(masterPid) - mc0;
    double bc = ProcStats.selfCpuSeconds() - bc0;
    double other = ProcStats.machineBusySeconds() - all0 - mc - bc;
    Histogram h = simApps.latency;
    say("window %d: %.0f grants/s", w, grants / dt);
    StringBuilder detail = new StringBuilder("  p50/p99/p99.9 ms by shape:");
    String[] shapes = {"1c/2G", "2c/4G", "0.5c/1G", "1c/4G"};
    for (int i = 0; i < shapes.length; i++) {
      Histogram x = simApps.byShape[i];
      detail.append(String.format(Locale.ROOT, " %s %s/%s/%s (%d)", shapes[i], ms(x.quantile(0.5)),
          ms(x.quantile(0.99)), ms(x.quantile(0.999)), x.count()));
    }
    detail.append("; by level:");
    simApps.byLevel.forEach((level, x) -> detail.append(String.format(Locale.ROOT, " %s %s/%s/%s",
        level.name().substring("LOCALITY_LEVEL_".length()).toLowerCase(Locale.ROOT), ms(x.quantile(0.5)),
        ms(x.quantile(0.99)), ms(x.quantile(0.999)))));
    say("%s", detail);
    return new String[] {
        Integer.toString(w), fmt1(dt), Long.toString(grants), fmt0(grants / dt),
        fmt0(perSecond.stream().mapToDouble(Double::doubleValue).min().orElse(0)),
        fmt0(perSecond.stream().mapToDouble(Double::doubleValue).max().orElse(0)),
        ms(h.quantile(0.50)), ms(h.quantile(0.99)), ms(h.quantile(0.999)), ms(h.max()),
        fmt2(mc / dt), fmt1(grants == 0 ? 0 : mc * 1e6 / grants), fmt2(bc / dt), fmt2(Math.max(0, other) / dt),
        Integer.toString(mavenSeconds)};
  }

  // ---- failover ----------------------------------------------------------------------------------

  private void failover() throws Exception {
    List<String[]> rows = new ArrayList<>();
    List<Double> firstGrant = new ArrayList<>();
    BenchCluster.Leader leader = null;
    for (int r = 1; r <= runs; r++) {
      if (r == 1 || freshCluster) {
        if (r > 1) {
          teardown();
          cluster = new BenchCluster(dir.resolve("run-" + r));
        }
        leader = startLeader();
        cluster.startMaster(masterJvm, masterArgs());
        connect();
        await("two masters in the election", 60, () -> leaders.participants().size() == 2);
        startNodes(leader.epoch());
        startApps(outstanding, hold, true);
        say("warming up for %.0f s", warmup);
        progress(warmup, cluster.pid(leader.name()));
      } else {
        cluster.startMaster(masterJvm, masterArgs());
        await("a replacement standby in the election", 60, () -> leaders.participants().size() == 2);
        Thread.sleep(3000);
      }
      leader = cluster.leader();
      final String leaderName = leader.name();
      String standby = cluster.processes.keySet().stream()
          .filter(n -> n.startsWith("master-") && !n.equals(leaderName)).findFirst().orElseThrow();
      cluster.tail(standby); // skip what it logged so far
      long g0 = simApps.granted.sum();
      Thread.sleep(2000);
      double before = (simApps.granted.sum() - g0) / 2.0;
      long baseline = leader.epoch();
      simApps.firstNewGrantNanos.set(0);
      simApps.baselineEpoch = baseline;
      long nodesHeldAtKill = simNodes.heldGrants();
      long t0 = System.nanoTime();
      cluster.kill9(leader.name());
      double elected = -1;
      double leading = -1;
      double first = -1;
      double allNodes = -1;
      double allApps = -1;
      long deadline = t0 + 300_000_000_000L;
      long zk0 = cluster.zkReceived();
      long zkLast = zk0;
      long zkLastT = t0;
      double zkPeak = 0;
      while (System.nanoTime() < deadline && (first < 0 || allNodes < 0 || allApps < 0 || leading < 0)) {
        String text = cluster.tail(standby);
        double now = secondsSince(t0);
        if (System.nanoTime() - zkLastT > 1_000_000_000L) {
          long z = cluster.zkReceived();
          long zt = System.nanoTime();
          zkPeak = Math.max(zkPeak, (z - zkLast) / ((zt - zkLastT) / 1e9));
          zkLast = z;
          zkLastT = zt;
        }
        if (elected < 0 && text.contains("elected leader with epoch")) {
          elected = now;
        }
        if (leading < 0 && text.contains("leading as ")) {
          leading = now;
          if (elected < 0) {
            elected = now;
          }
        }
        long fg = simApps.firstNewGrantNanos.get();
        if (first < 0 && fg != 0) {
          first = (fg - t0) / 1e9;
        }
        if (allNodes < 0 && simNodes.registeredAtLeast(baseline + 1) == nodes) {
          allNodes = now;
        }
        if (allApps < 0 && simApps.attachedAtLeast(baseline + 1) == apps) {
          allApps = now;
        }
        Thread.sleep(5);
      }
      double zkRate = (cluster.zkReceived() - zk0) / secondsSince(t0);
      long g1 = simApps.granted.sum();
      Thread.sleep(2000);
      double after = (simApps.granted.sum() - g1) / 2.0;
      say("run %d: killed %s (epoch %d); elected %.2f s, leading %.2f s, first grant %.2f s, all nodes %.2f s,"
          + " all apps %.2f s", r, leader.name(), baseline, elected, leading, first, allNodes, allApps);
      say("  grants held by nodes %d %s, by application masters %d %s; %s", simNodes.heldGrants(),
          simNodes.heldByEpoch(), simApps.sessionGrants(), simApps.sessionGrantsByEpoch(), masterBooks());
      String leaked = "";
      if (freshCluster) {
        Books b = booksCheck();
        say("  %s", b.text());
        leaked = Long.toString(b.unknownToApps());
      }
      firstGrant.add(first);
      rows.add(new String[] {Integer.toString(r), Long.toString(baseline), fmt2(elected), fmt2(leading), fmt2(first),
          fmt2(allNodes), fmt2(allApps), fmt0(before), fmt0(after), Long.toString(nodesHeldAtKill), leaked,
          fmt0(zkRate) + " / " + fmt0(zkPeak)});
    }
    String books = freshCluster ? "" : booksCheck().text();
    System.out.println();
    System.out.printf(Locale.ROOT, "# failover: %d nodes, %d application masters (%d outstanding each, churning, "
            + "relax %s), %d more applications without a master, ZooKeeper session timeout 2 s (tick 200 ms), nodes retry after %d ms doubling to 2 s (jittered), %s; seconds "
            + "after kill -9 of the leader; %d cores%n",
        nodes, apps, outstanding, relax, idleApps, nodeBackoffMillis, freshCluster ? "a fresh cluster per run"
            : "one cluster, a replacement standby started after each run",
        Runtime.getRuntime().availableProcessors());
    table(new String[] {"run", "old epoch", "elected s", "in office s", "first grant s", "all nodes s",
        "all apps s", "grants/s before", "grants/s after", "grants on nodes at kill", "leaked grants",
        "ZooKeeper requests/s mean / peak"}, rows);
    if (!books.isEmpty()) {
      System.out.println(books);
    }
    List<Double> sorted = firstGrant.stream().sorted().toList();
    System.out.printf(Locale.ROOT, "first grant of the new leader: min %.2f s, median %.2f s, max %.2f s%n",
        sorted.get(0), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
  }

  // ---- memory ------------------------------------------------------------------------------------

  private void memory() throws Exception {
    BenchCluster.Leader leader = startLeader();
    long pid = cluster.pid(leader.name());
    connect();
    Thread.sleep(3000);
    ProcStats.fullGc(pid);
    ProcStats.Heap idle = ProcStats.jstat(pid);
    long idleRss = ProcStats.rssKib(pid);
    say("idle master: heap %.1f MiB after GC, RSS %d MiB", idle.usedKib() / 1024, idleRss / 1024);
    startNodes(leader.epoch());
    startApps(0, hold, false);
    long want = (long) apps * hold;
    await("every application holding " + hold + " grants", 300, () -> simApps.heldGrants() >= want);
    say("%d grants held; settling %.0f s (heartbeats keep flowing)", simApps.heldGrants(), settle);
    Thread.sleep((long) (settle * 1000));
    ClusterStatus status = feitianClients.get(0).cluster(s -> s.getClusterStatus(
        GetClusterStatusRequest.getDefaultInstance()));
    long alive = status.getNodesList().stream().filter(n -> n.getState() == NodeState.NODE_STATE_ALIVE).count();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"idle (no nodes, no apps)", fmt1(idle.usedKib() / 1024), fmt1(idle.capacityKib() / 1024),
        fmt1(idle.metaspaceUsedKib() / 1024), Long.toString(idleRss / 1024)});
    for (int i = 1; i <= 2; i++) {
      ProcStats.fullGc(pid);
      ProcStats.Heap h = ProcStats.jstat(pid);
      rows.add(new String[] {nodes + " nodes, " + apps + " apps, " + simApps.heldGrants() + " grants (" + i + ")",
          fmt1(h.usedKib() / 1024), fmt1(h.capacityKib() / 1024), fmt1(h.metaspaceUsedKib() / 1024),
          Long.toString(ProcStats.rssKib(pid) / 1024)});
      Thread.sleep(2000);
    }
    String heapInfo = ProcStats.jdkTool("jcmd", Long.toString(pid), "GC.heap_info");
    System.out.println();
    System.out.printf(Locale.ROOT, "# memory of fuxi-master (-Xmx1g, launcher flags%s): %d alive nodes, %d apps "
            + "each holding %d grants; %d cores%n", masterJvm.isEmpty() ? "" : " + " + String.join(" ", masterJvm),
        alive, apps, hold, Runtime.getRuntime().availableProcessors());
    table(new String[] {"state", "heap used after GC MiB", "heap committed MiB", "metaspace MiB", "RSS MiB"}, rows);
    System.out.println("jcmd GC.heap_info:\n" + heapInfo.strip());
  }

  // ---- worker RSS --------------------------------------------------------------------------------

  private void workerRss() throws Exception {
    BenchCluster.Leader leader = startLeader();
    connect();
    String base = "-Xmx256m -XX:+ExitOnOutOfMemoryError";
    // The first is what deploy/src/main/dist/bin/task-worker passes (G1, C2, 1 MiB stacks).
    List<List<String>> variants = List.of(
        List.of(base),
        List.of(base + " -XX:TieredStopAtLevel=1 -Xss512k -XX:ReservedCodeCacheSize=32m"),
        List.of(base + " -XX:+UseSerialGC"),
        List.of(base + " -XX:+UseSerialGC -Xms16m"),
        List.of(base + " -XX:+UseSerialGC -Xms16m -XX:TieredStopAtLevel=1 -Xss512k -XX:MaxMetaspaceSize=64m"
            + " -XX:ReservedCodeCacheSize=32m"),
        List.of("-Xmx64m -XX:+ExitOnOutOfMemoryError -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k"
            + " -XX:MaxMetaspaceSize=64m -XX:ReservedCodeCacheSize=32m -XX:MaxDirectMemorySize=32m"
            + " -Dio.grpc.netty.shaded.io.netty.allocator.numDirectArenas=1"
            + " -Dio.grpc.netty.shaded.io.netty.allocator.numHeapArenas=1"));
    List<String[]> rows = new ArrayList<>();
    int seq = 0;
    for (int rep = 1; rep <= windows; rep++) {
      for (List<String> v : variants) {
        List<String> flags = Arrays.stream(String.join(" ", v).split("\\s+")).toList();
        String node = "tw-" + (++seq);
        cluster.startWorker(node, flags, true);
        long pid = cluster.pid(node);
        await(node + " registered", 60, () -> cluster.log(node).contains("registered with master"));
        Thread.sleep((long) (settle * 1000));
        long rss = ProcStats.rssKib(pid);
        long hwm = ProcStats.statusField(pid, "VmHWM:");
        ProcStats.Heap h = ProcStats.jstat(pid);
        String vmFlags = ProcStats.jdkTool("jcmd", Long.toString(pid), "VM.flags");
        String gc = vmFlags.contains("+UseSerialGC") ? "Serial" : vmFlags.contains("+UseG1GC") ? "G1" : "?";
        rows.add(new String[] {Integer.toString(rep), String.join(" ", flags), gc, Long.toString(rss / 1024),
            Long.toString(hwm / 1024), fmt1(h.usedKib() / 1024), fmt1(h.capacityKib() / 1024)});
        say("%s: RSS %d MiB (%s)", node, rss / 1024, String.join(" ", flags));
        cluster.kill9(node);
      }
    }
    System.out.println();
    System.out.printf(Locale.ROOT, "# idle task-worker resident memory, registered with a master and settled %.0f s"
        + " (heartbeat every %s); %d cores%n", settle, heartbeat, Runtime.getRuntime().availableProcessors());
    table(new String[] {"rep", "JVM flags", "GC", "VmRSS MiB", "VmHWM MiB", "heap used MiB", "heap committed MiB"},
        rows);
  }

  /** The outcome of {@link #booksCheck}: grants the leader books for masters that do not hold them. */
  record Books(long unknownToApps, String text) {}

  /**
   * Stops the churn (grants keep being given back, nothing is asked for again), lets the demand
   * drain, then compares the leader's books with what the application masters and nodes hold.
   * Every grant beyond {@code --hold} is given back at once, so afterwards the leader should book
   * no grant that no application master holds. With -Dbench.debug also lists masters still
   * waiting and nodes with under 4 cores free.
   */
  private Books booksCheck() throws InterruptedException {
    simApps.churn = false;
    long deadline = System.nanoTime() + 20_000_000_000L;
    ClusterStatus st;
    do {
      Thread.sleep(500);
      st = feitianClients.get(0).cluster(s -> s.getClusterStatus(GetClusterStatusRequest.getDefaultInstance()));
    } while (st.getPendingUnits() > 0 && System.nanoTime() < deadline);
    Thread.sleep(2000);
    st = feitianClients.get(0).cluster(s -> s.getClusterStatus(GetClusterStatusRequest.getDefaultInstance()));
    var list = feitianClients.get(0).cluster(s -> s.listApps(io.feitian.proto.fuxi.v1.ListAppsRequest.getDefaultInstance()));
    java.util.Map<String, SimApps.App> byId = new java.util.HashMap<>();
    simApps.apps.forEach(a -> byId.put(a.appId, a));
    long booked = 0;
    long unknownToApps = 0;
    int appsAffected = 0;
    for (var info : list.getAppsList()) {
      SimApps.App a = byId.get(info.getAppId());
      long held = a == null ? 0 : a.session.grants().size();
      booked += info.getGrants();
      if (info.getGrants() > held) {
        unknownToApps += info.getGrants() - held;
        appsAffected++;
      }
    }
    if (System.getProperty("bench.debug") != null) {
      for (SimApps.App a : simApps.apps) {
        if (a.session.outstandingUnits() > 0) {
          say("  %s (%s) session outstanding %d, holds %d", a.appId, a.level, a.session.outstandingUnits(),
              a.session.grants().size());
        }
      }
      for (var n : st.getNodesList()) {
        if (n.getFree().getCpuMillis() < 4000) {
          say("  node %s free %s grants %d", n.getNodeId(), n.getFree().toString().replace('\n', ' '), n.getGrants());
        }
      }
    }
    return new Books(unknownToApps, String.format(Locale.ROOT, "after quiescing: leader (epoch %d) books %d "
            + "grants, %d of them for application masters that do not hold them (%d apps); masters hold %d; "
            + "nodes hold %d %s; %d units pending; %d of %d cores free",
        st.getEpoch(), booked, unknownToApps, appsAffected, simApps.sessionGrants(), simNodes.heldGrants(),
        simNodes.heldByEpoch(), st.getPendingUnits(), st.getFree().getCpuMillis() / 1000,
        st.getTotal().getCpuMillis() / 1000));
  }

  /** What the leader's books say (GetClusterStatus), for cross-checking the simulators'. */
  private String masterBooks() {
    try {
      ClusterStatus st = feitianClients.get(0).cluster(s -> s.getClusterStatus(
          GetClusterStatusRequest.getDefaultInstance()));
      long grants = st.getNodesList().stream().mapToLong(n -> n.getGrants()).sum();
      return String.format(Locale.ROOT, "leader (epoch %d) books %d grants, %d units pending, %d of %d cores free",
          st.getEpoch(), grants, st.getPendingUnits(), st.getFree().getCpuMillis() / 1000,
          st.getTotal().getCpuMillis() / 1000);
    } catch (RuntimeException e) {
      return "leader status unavailable: " + e.getMessage();
    }
  }

  // ---- helpers -----------------------------------------------------------------------------------

  private static void await(String what, double timeoutSeconds, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + (long) (timeoutSeconds * 1e9);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + timeoutSeconds + " s waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  private static double secondsSince(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static void say(String format, Object... args) {
    System.out.printf(Locale.ROOT, "[%tT] %s%n", System.currentTimeMillis(), String.format(Locale.ROOT, format, args));
  }

  private static String fmt0(double v) {
    return String.format(Locale.ROOT, "%.0f", v);
  }

  private static String fmt1(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String fmt2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
  }

  /** A Markdown table, so results paste into docs/PERFORMANCE.md as they are. */
  private static void table(String[] header, List<String[]> rows) {
    System.out.println("| " + String.join(" | ", header) + " |");
    System.out.println("|" + " --- |".repeat(header.length));
    for (String[] r : rows) {
      System.out.println("| " + String.join(" | ", r) + " |");
    }
  }

  private synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    teardown();
  }

  /** Stops the simulators and clients, kills every process, stops ZooKeeper. */
  private synchronized void teardown() {
    if (simApps != null) {
      simApps.close();
    }
    if (simNodes != null) {
      simNodes.close();
    }
    if (cluster != null) {
      cluster.killAll();
    }
    for (FeitianClient c : feitianClients) {
      try {
        c.close();
      } catch (RuntimeException ignored) {
        // best effort
      }
    }
    if (leaders != null) {
      leaders.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    simApps = null;
    simNodes = null;
    feitianClients.clear();
    leaders = null;
    cluster = null;
  }
}
