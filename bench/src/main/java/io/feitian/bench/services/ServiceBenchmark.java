package io.feitian.bench.services;

import io.feitian.bench.WorkerProcesses;
import io.feitian.client.ClusterTarget;
import io.feitian.client.FeitianClient;
import io.feitian.client.local.LocalCluster;
import io.feitian.common.config.ConfigLoader;
import io.feitian.common.zk.ZkSettings;
import io.feitian.examples.kv.KvWorker;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.examples.v1.GetRequest;
import io.feitian.proto.examples.v1.KeyValueGrpc;
import io.feitian.proto.examples.v1.PutRequest;
import io.feitian.proto.service.v1.JavaWorker;
import io.feitian.proto.service.v1.PartitionRecord;
import io.feitian.proto.service.v1.PartitionState;
import io.feitian.proto.service.v1.PartitionsSpec;
import io.feitian.proto.service.v1.Placement;
import io.feitian.proto.service.v1.RoleSpec;
import io.feitian.proto.service.v1.ServiceSpec;
import io.feitian.proto.service.v1.ServiceStatus;
import io.feitian.proto.service.v1.WorkerInfo;
import io.feitian.service.client.ServiceAdmins;
import io.feitian.service.client.ServiceClient;
import io.feitian.service.client.ServiceKeys;
import io.feitian.service.partition.KeyRange;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * What an online service costs its clients when its partitions move: the
 * example key-value service (3 {@code store} workers, at most one per node,
 * 8 partitions, {@code max_concurrent_moves} 2) on a local cluster of one
 * fuxi-master and three task-workers with the shipped defaults. Each run
 * measures, in this order:
 *
 * <ol>
 *   <li><b>Migrate</b>: from the MigratePartition call until the partition is
 *       SERVING on its new owner (the table in ZooKeeper, as a
 *       {@link ServiceClient} sees it, checked every millisecond), and the
 *       partition's client-visible unavailability: the longest gap between
 *       two successful puts of a writer that only writes keys of that
 *       partition. The time includes the admin call itself (ServiceAdmins
 *       finds the service-master through fuxi-master and opens a channel to
 *       it), as it would for an operator.</li>
 *   <li><b>Split</b>: from the SplitPartition call until both halves are
 *       SERVING, with the same writer gap.</li>
 *   <li><b>Worker death</b>: kill -9 of a store worker (its process tree)
 *       until every partition is SERVING on a live worker. This includes
 *       the worker's ZooKeeper session timeout (the shipped
 *       {@code feitian.zookeeper.session-timeout}: the service-master learns
 *       of the death when the worker's znode goes); the partitions then move
 *       at once because the node reports the process ended (otherwise they
 *       would wait {@code reassign_delay_ms}). Also: the writer gap on one of
 *       its partitions, and the time until the replacement worker registered
 *       and the service is steady again (waited for before going on).</li>
 *   <li><b>Requests per second</b>: K client threads in a closed loop, each
 *       a put then a get of a random key through a {@link ServiceClient},
 *       over a steady window, and over a rebalance window (the store role
 *       scaled 3 -> 2 -> 3, from the scale-in call until steady after the
 *       scale-out), with the requests that failed (there should be none:
 *       the client retries refused and unreachable calls for 30 s).</li>
 * </ol>
 *
 * <p>Usage: {@code ServiceBenchmark [--runs N] [--threads K] [--reassign-delay-ms D] [--steady-s S] [--dir D]}
 * (defaults 5 runs, 4 threads, 5000 ms, 10 s, a new temporary directory).
 */
public final class ServiceBenchmark {
  static final String NAME = "kv-bench";
  static final String ROLE = "store";
  static final int WORKERS = 3;
  static final int PARTITIONS = 8;
  static final int MAX_MOVES = 2;
  /** How long the benchmark's ServiceClient retries a refused or unreachable call. */
  static final Duration CLIENT_RETRY = Duration.ofSeconds(30);
  /** How long anything the benchmark waits for may take before the run is abandoned. */
  static final Duration PATIENCE = Duration.ofSeconds(120);
  /** Load before the steady window: JIT of the client and of workers that may have just started. */
  static final Duration WARM_UP = Duration.ofSeconds(5);

  record Options(int runs, int threads, long reassignDelayMs, int steadySeconds, Path dir) {
    static final String USAGE =
        "ServiceBenchmark [--runs N] [--threads K] [--reassign-delay-ms D] [--steady-s S] [--dir D]";

    static Options parse(String[] args) throws java.io.IOException {
      int runs = 5;
      int threads = 4;
      long delay = 5_000;
      int steady = 10;
      Path dir = null;
      for (int i = 0; i < args.length; i += 2) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(args[i] + " needs a value; usage: " + USAGE);
        }
        switch (args[i]) {
          case "--runs" -> runs = Integer.parseInt(args[i + 1]);
          case "--threads" -> threads = Integer.parseInt(args[i + 1]);
          case "--reassign-delay-ms" -> delay = Long.parseLong(args[i + 1]);
          case "--steady-s" -> steady = Integer.parseInt(args[i + 1]);
          case "--dir" -> dir = Path.of(args[i + 1]);
          default -> throw new IllegalArgumentException("unknown option " + args[i] + "; usage: " + USAGE);
        }
      }
      if (runs < 1 || threads < 1 || delay < 1 || steady < 1) {
        throw new IllegalArgumentException("every option must be positive; usage: " + USAGE);
      }
      return new Options(runs, threads, delay, steady,
          dir != null ? dir : Files.createTempDirectory("feitian-services"));
    }
  }

  /** What is reported, one value per run each. */
  private enum Metric {
    MIGRATE("migrate: call to SERVING on the new owner", "ms"),
    MIGRATE_GAP("migrate: longest gap between puts to the partition", "ms"),
    SPLIT("split: call to both halves SERVING", "ms"),
    SPLIT_GAP("split: longest gap between puts to the partition", "ms"),
    DEATH("worker kill -9: to every partition SERVING on live workers", "ms"),
    DEATH_GAP("worker kill -9: longest gap between puts to one of its partitions", "ms"),
    REPLACED("worker kill -9: to the replacement registered, service steady", "ms"),
    RPS_STEADY("requests/s, steady", "req/s"),
    RPS_REBALANCE("requests/s, scale 3 -> 2 -> 3", "req/s"),
    REBALANCE("scale 3 -> 2 -> 3: scale-in call to steady after scale-out", "ms"),
    FAILED_LOAD("failed requests of the load (both windows)", "requests"),
    FAILED_WRITERS("failed puts of the gap writers", "requests");

    final String label;
    final String unit;

    Metric(String label, String unit) {
      this.label = label;
      this.unit = unit;
    }
  }

  private final Options options;
  private final LocalCluster.Layout layout;
  private final LocalCluster cluster;
  private final Path dataDir;
  private final Map<Metric, List<Double>> results = new EnumMap<>(Metric.class);
  private FeitianClient client;
  private ServiceAdmins admins;
  private ServiceClient service;
  private String appId;
  /** Failed puts of this run's gap writers. */
  private long writerFailures;

  private ServiceBenchmark(Options options) {
    this.options = options;
    int base = 13000 + (int) (ProcessHandle.current().pid() % 1000) * 10;
    this.layout = new LocalCluster.Layout(options.dir().resolve("cluster"), base, base + 1, base + 3, 1, 3, 4000, 4096);
    this.cluster = new LocalCluster(layout, new PrintStream(OutputStream.nullOutputStream()));
    // A new directory each time: the workers would otherwise load a previous run's partitions.
    this.dataDir = options.dir().resolve("kv-data-" + System.currentTimeMillis());
  }

  public static void main(String[] args) throws Exception {
    ServiceBenchmark b = new ServiceBenchmark(Options.parse(args));
    b.printSetup();
    b.cluster.up();
    try {
      b.run();
    } finally {
      b.cluster.stop();
    }
    b.printTable();
  }

  private void printSetup() {
    Duration session = ZkSettings.from(ConfigLoader.load(null)).sessionTimeout();
    System.out.printf(Locale.ROOT, "local cluster: ZooKeeper, 1 fuxi-master, 3 task-workers (4 cores, 4 GiB);"
        + " logs in %s%n", layout.dir().resolve("logs"));
    System.out.printf(Locale.ROOT, "service %s: %d %s workers (max 1 per node), %d partitions, reassign_delay_ms %d,"
        + " max_concurrent_moves %d; the workers' ZooKeeper session timeout is %d ms (shipped)%n", NAME, WORKERS, ROLE,
        PARTITIONS, options.reassignDelayMs(), MAX_MOVES, session.toMillis());
    System.out.printf(Locale.ROOT, "load: %d client threads, put then get of random keys; steady window %d s%n",
        options.threads(), options.steadySeconds());
  }

  /** Creates the service, measures every run, and deletes the service. */
  private void run() throws Exception {
    try (FeitianClient c = new FeitianClient(new ClusterTarget.ZooKeeper(layout.zkConnect(), LocalCluster.CLUSTER_NAME,
        "feitian"), FeitianClient.Options.defaults())) {
      client = c;
      admins = new ServiceAdmins(c);
      appId = admins.create(spec());
      try (ServiceClient s = new ServiceClient(c, appId, CLIENT_RETRY)) {
        service = s;
        awaitSteady(WORKERS);
        for (int r = 1; r <= options.runs(); r++) {
          measureMigrate(r);
          measureSplit(r);
          measureWorkerDeath(r);
          measureThroughput(r);
          record(Metric.FAILED_WRITERS, writerFailures);
          writerFailures = 0;
        }
      } finally {
        admins.delete(NAME);
      }
    }
  }

  private ServiceSpec spec() throws URISyntaxException {
    String jar = Path.of(KvWorker.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    return ServiceSpec.newBuilder().setName(NAME)
        .addRoles(RoleSpec.newBuilder().setName(ROLE).setWorkers(WORKERS)
            .setResources(Resources.newBuilder().setCpuMillis(500).setMemoryMib(256))
            .setJava(JavaWorker.newBuilder().setWorkerClass(KvWorker.class.getName()).addJars(jar))
            .putEnv("KV_DATA_DIR", dataDir.toString())
            .setPlacement(Placement.newBuilder().setMaxPerNode(1)))
        .setPartitionedRole(ROLE)
        .setPartitions(PartitionsSpec.newBuilder().setCount(PARTITIONS)
            .setReassignDelayMs(options.reassignDelayMs()).setMaxConcurrentMoves(MAX_MOVES))
        .build();
  }

  // ---- the measurements -------------------------------------------------------------------------

  /** Moves a partition of the most loaded worker to the least loaded one (so no rebalancing follows). */
  private void measureMigrate(int run) throws Exception {
    ServiceStatus s = awaitSteady(WORKERS);
    WorkerInfo from = byLoad(s).get(s.getWorkersCount() - 1);
    WorkerInfo to = byLoad(s).get(0);
    List<PartitionRecord> owned = owned(s, from.getWorkerId());
    PartitionRecord p = owned.get(run % owned.size());
    Timed t = timed(p, () -> admins.migrate(NAME, p.getId(), to.getWorkerId()),
        () -> service.partitionOf(p.getStart()).filter(x -> x.getId().equals(p.getId())
            && x.getOwner().equals(to.getWorkerId()) && serving(x)).isPresent());
    record(Metric.MIGRATE, t.millis());
    record(Metric.MIGRATE_GAP, t.gapMillis());
    System.out.printf(Locale.ROOT, "[run %d] migrate %s %s -> %s: %.0f ms, longest put gap %.0f ms%n", run, p.getId(),
        from.getNodeId(), to.getNodeId(), t.millis(), t.gapMillis());
  }

  /** Splits the widest partition in the middle of its range. */
  private void measureSplit(int run) throws Exception {
    ServiceStatus s = awaitSteady(WORKERS);
    PartitionRecord p = s.getPartitionsList().stream().max(Comparator.comparingLong(ServiceBenchmark::width))
        .orElseThrow();
    String at = String.format("%08x", lo(p) + width(p) / 2);
    Timed t = timed(p, () -> admins.split(NAME, p.getId(), at),
        () -> servingExactly(p.getStart(), at) && servingExactly(at, p.getEnd()));
    record(Metric.SPLIT, t.millis());
    record(Metric.SPLIT_GAP, t.gapMillis());
    System.out.printf(Locale.ROOT, "[run %d] split %s at %s: %.0f ms, longest put gap %.0f ms%n", run, p.getId(), at,
        t.millis(), t.gapMillis());
  }

  /** kill -9 of the most loaded store worker; then waits for its replacement. */
  private void measureWorkerDeath(int run) throws Exception {
    ServiceStatus s = awaitSteady(WORKERS);
    WorkerInfo victim = byLoad(s).get(s.getWorkersCount() - 1);
    List<String> starts = s.getPartitionsList().stream().map(PartitionRecord::getStart).toList();
    long pid = WorkerProcesses.find(client, victim.getNodeId(), appId, victim.getWorkerId()).getPid();
    Timed t = timed(owned(s, victim.getWorkerId()).get(0),
        () -> WorkerProcesses.sigkill(pid),
        () -> starts.stream().allMatch(start -> service.partitionOf(start)
            .filter(x -> serving(x) && !x.getOwner().equals(victim.getWorkerId())).isPresent()));
    awaitSteady(WORKERS);
    double replaced = (System.nanoTime() - t.startNanos()) / 1e6;
    record(Metric.DEATH, t.millis());
    record(Metric.DEATH_GAP, t.gapMillis());
    record(Metric.REPLACED, replaced);
    System.out.printf(Locale.ROOT, "[run %d] kill -9 %s (%s, %d partitions): all served again in %.0f ms, longest put"
        + " gap %.0f ms, steady with a replacement after %.0f ms%n", run, victim.getWorkerId(), victim.getNodeId(),
        victim.getPartitions(), t.millis(), t.gapMillis(), replaced);
  }

  /** Requests per second of the closed-loop load, steady and while the store role scales 3 -> 2 -> 3. */
  private void measureThroughput(int run) throws Exception {
    awaitSteady(WORKERS);
    try (Load load = new Load(service, options.threads())) {
      pause(WARM_UP);
      Load.Counts a = load.counts();
      // Second by second, to show whether the load was still warming up.
      List<String> perSecond = new ArrayList<>();
      Load.Counts b = a;
      for (int i = 0; i < options.steadySeconds(); i++) {
        pause(Duration.ofSeconds(1));
        Load.Counts now = load.counts();
        perSecond.add(String.format(Locale.ROOT, "%.0f", now.minus(b).perSecond()));
        b = now;
      }
      admins.scale(NAME, ROLE, WORKERS - 1);
      awaitSteady(WORKERS - 1);
      admins.scale(NAME, ROLE, WORKERS);
      awaitSteady(WORKERS);
      Load.Counts c = load.counts();
      double steady = b.minus(a).perSecond();
      double rebalance = c.minus(b).perSecond();
      long failed = c.failed(); // warm-up included
      record(Metric.RPS_STEADY, steady);
      record(Metric.RPS_REBALANCE, rebalance);
      record(Metric.REBALANCE, c.minus(b).nanos() / 1e6);
      record(Metric.FAILED_LOAD, failed);
      System.out.printf(Locale.ROOT, "[run %d] %d threads: %.0f requests/s steady, %.0f requests/s over %.1f s of"
          + " scale 3 -> 2 -> 3, %d failed%s%n", run, options.threads(), steady, rebalance, c.minus(b).nanos() / 1e9,
          failed, load.firstError().map(e -> " (first: " + e + ")").orElse(""));
      System.out.printf(Locale.ROOT, "[run %d] steady window, requests/s second by second: %s%n", run,
          String.join(" ", perSecond));
      if (c.missing() > 0) {
        System.out.printf(Locale.ROOT, "[run %d] WARNING: %d gets did not find the key their thread had just put%n",
            run, c.missing());
      }
    }
  }

  // ---- timing a partition operation ---------------------------------------------------------

  /** One timed operation: when it was called, when it was done, and the writer's longest gap around it. */
  private record Timed(long startNanos, long doneNanos, long gapNanos) {
    double millis() {
      return (doneNanos - startNanos) / 1e6;
    }

    double gapMillis() {
      return gapNanos / 1e6;
    }
  }

  @FunctionalInterface
  private interface Action {
    void run() throws Exception;
  }

  /**
   * Calls {@code action} while a {@link GapWriter} puts keys of partition
   * {@code p}; returns the time from the call until {@code done} holds, and
   * the longest gap between two successful puts from just before the call
   * until the first put after done.
   */
  private Timed timed(PartitionRecord p, Action action, BooleanSupplier done) throws Exception {
    try (GapWriter writer = new GapWriter(service, keysOf(p, 16))) {
      writer.awaitPuts(20);
      writer.resetGap();
      long start = System.nanoTime();
      action.run();
      long end = awaitTrue(done, "the operation on " + p.getId() + " to complete");
      writer.awaitPutAfter(end);
      Timed t = new Timed(start, end, writer.maxGapNanos());
      writerFailures += writer.failures.size();
      if (!writer.failures.isEmpty()) {
        System.out.println("  the gap writer's puts failed: " + writer.failures);
      }
      return t;
    }
  }

  /** Application keys whose hash falls in the partition. */
  private static List<String> keysOf(PartitionRecord p, int n) {
    KeyRange range = new KeyRange(p.getStart(), p.getEnd());
    List<String> keys = new ArrayList<>();
    for (int i = 0; keys.size() < n; i++) {
      String key = "gap-" + i;
      if (range.contains(ServiceKeys.hash(key))) {
        keys.add(key);
      }
    }
    return keys;
  }

  /**
   * One thread putting a partition's keys in a loop, through the
   * ServiceClient (which waits out refusals and unreachable owners), and
   * noting the longest time between two successful puts.
   */
  private static final class GapWriter implements AutoCloseable {
    private final ServiceClient service;
    private final List<String> keys;
    private final Thread thread;
    private final AtomicLong puts = new AtomicLong();
    private final AtomicLong maxGap = new AtomicLong();
    private volatile long lastPut = System.nanoTime();
    private volatile boolean running = true;
    final List<String> failures = Collections.synchronizedList(new ArrayList<>());

    GapWriter(ServiceClient service, List<String> keys) {
      this.service = service;
      this.keys = keys;
      this.thread = new Thread(this::loop, "gap-writer");
      thread.start();
    }

    private void loop() {
      for (int i = 0; running; i++) {
        String key = keys.get(i % keys.size());
        PutRequest put = PutRequest.newBuilder().setKey(key).setValue("v" + i).build();
        try {
          service.call(ServiceKeys.hash(key), ch -> kv(ch).put(put));
          long now = System.nanoTime();
          maxGap.accumulateAndGet(now - lastPut, Math::max);
          lastPut = now;
          puts.incrementAndGet();
        } catch (StatusRuntimeException e) {
          failures.add(key + ": " + describe(e));
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    void awaitPuts(int n) throws InterruptedException {
      long target = puts.get() + n;
      awaitTrue(() -> puts.get() >= target || !failures.isEmpty(), n + " puts of the gap writer");
    }

    void resetGap() {
      maxGap.set(0);
    }

    /** Waits for a put that succeeded after {@code nanos} (or for a failed one). */
    void awaitPutAfter(long nanos) throws InterruptedException {
      awaitTrue(() -> lastPut > nanos || !failures.isEmpty(), "a put after the operation");
    }

    long maxGapNanos() {
      return maxGap.get();
    }

    @Override
    public void close() throws InterruptedException {
      running = false; // not interrupted: an interrupted call would count as failed
      thread.join(CLIENT_RETRY.toMillis() + 10_000);
    }
  }

  // ---- the load ---------------------------------------------------------------------------------

  /** K threads, each a put then a get of a random key, back to back, until closed. */
  private static final class Load implements AutoCloseable {
    static final int KEYS = 100_000;
    static final String VALUE = "x".repeat(100);

    /** Totals at one moment. */
    record Counts(long nanos, long ok, long failed, long missing) {
      Counts minus(Counts earlier) {
        return new Counts(nanos - earlier.nanos, ok - earlier.ok, failed - earlier.failed, missing - earlier.missing);
      }

      double perSecond() {
        return ok / (nanos / 1e9);
      }
    }

    private final ServiceClient service;
    private final List<Thread> threads = new ArrayList<>();
    private final LongAdder ok = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder missing = new LongAdder();
    private volatile String firstError;
    private volatile boolean running = true;

    Load(ServiceClient service, int threads) {
      this.service = service;
      for (int i = 0; i < threads; i++) {
        Thread t = new Thread(this::loop, "load-" + i);
        this.threads.add(t);
        t.start();
      }
    }

    private void loop() {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      while (running) {
        String key = "load-" + random.nextInt(KEYS);
        String hash = ServiceKeys.hash(key);
        try {
          service.call(hash, ch -> kv(ch).put(PutRequest.newBuilder().setKey(key).setValue(VALUE).build()));
          ok.increment();
          boolean found = service.call(hash, ch -> kv(ch).get(GetRequest.newBuilder().setKey(key).build())).getFound();
          ok.increment();
          if (!found) {
            missing.increment();
          }
        } catch (StatusRuntimeException e) {
          failed.increment();
          if (firstError == null) {
            firstError = key + ": " + describe(e);
          }
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    Counts counts() {
      return new Counts(System.nanoTime(), ok.sum(), failed.sum(), missing.sum());
    }

    java.util.Optional<String> firstError() {
      return java.util.Optional.ofNullable(firstError);
    }

    @Override
    public void close() throws InterruptedException {
      running = false; // not interrupted: an interrupted call would count as failed
      for (Thread t : threads) {
        t.join(CLIENT_RETRY.toMillis() + 10_000);
      }
    }
  }

  /** A failed call's code and description, without the cause's stack. */
  private static String describe(StatusRuntimeException e) {
    String description = e.getStatus().getDescription();
    return e.getStatus().getCode() + (description == null ? "" : " " + description);
  }

  private static KeyValueGrpc.KeyValueBlockingStub kv(ManagedChannel channel) {
    return KeyValueGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  // ---- the service's state ----------------------------------------------------------------------

  /**
   * Waits until the store role has {@code workers} live workers, as many as
   * it wants, and every partition is SERVING (as the service-master says:
   * no move in flight, so the partitions are balanced); returns that status.
   */
  private ServiceStatus awaitSteady(int workers) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    String last = "no answer yet";
    while (System.nanoTime() < deadline) {
      try {
        ServiceStatus s = admins.status(NAME);
        if (steady(s, workers)) {
          return s;
        }
        last = s.toString();
      } catch (StatusRuntimeException e) {
        last = describe(e);
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("service " + NAME + " not steady with " + workers + " workers after "
        + PATIENCE.toSeconds() + " s; logs in " + layout.dir().resolve("logs") + " and the nodes' work directories"
        + " under " + layout.dir() + "; last status:\n" + last);
  }

  private static boolean steady(ServiceStatus s, int workers) {
    return s.getRolesList().stream().allMatch(r -> r.getRunning() == r.getWanted() && r.getWanted() == workers)
        && s.getWorkersCount() == workers && s.getWorkersList().stream().noneMatch(WorkerInfo::getLost)
        && s.getPartitionsList().stream().allMatch(ServiceBenchmark::serving);
  }

  private static boolean serving(PartitionRecord p) {
    return p.getState() == PartitionState.PARTITION_STATE_SERVING;
  }

  /** Whether a partition of exactly [start, end) is SERVING, as the client sees the table. */
  private boolean servingExactly(String start, String end) {
    return service.partitionOf(start).filter(x -> x.getStart().equals(start) && x.getEnd().equals(end) && serving(x))
        .isPresent();
  }

  /** The workers, least loaded first (ties by id). */
  private static List<WorkerInfo> byLoad(ServiceStatus s) {
    return s.getWorkersList().stream()
        .sorted(Comparator.comparingInt(WorkerInfo::getPartitions).thenComparing(WorkerInfo::getWorkerId)).toList();
  }

  private static List<PartitionRecord> owned(ServiceStatus s, String workerId) {
    return s.getPartitionsList().stream().filter(p -> p.getOwner().equals(workerId)).toList();
  }

  private static long lo(PartitionRecord p) {
    return p.getStart().isEmpty() ? 0 : Long.parseLong(p.getStart(), 16);
  }

  private static long width(PartitionRecord p) {
    return (p.getEnd().isEmpty() ? 1L << 32 : Long.parseLong(p.getEnd(), 16)) - lo(p);
  }

  // ---- helpers and output -----------------------------------------------------------------------

  /** Checks {@code condition} every millisecond; returns System.nanoTime() when it first held. */
  private static long awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("gave up waiting " + PATIENCE.toSeconds() + " s for " + what);
      }
      Thread.sleep(1);
    }
    return System.nanoTime();
  }

  private static void pause(Duration d) throws InterruptedException {
    Thread.sleep(d.toMillis());
  }

  private void record(Metric m, double value) {
    results.computeIfAbsent(m, k -> new ArrayList<>()).add(value);
  }

  /** The results as a Markdown table, min, median and max over the runs. */
  private void printTable() {
    System.out.println();
    System.out.printf(Locale.ROOT, "%d runs; %d store workers, %d partitions at the start (one more per run),"
        + " reassign_delay_ms %d, %d client threads%n", options.runs(), WORKERS, PARTITIONS, options.reassignDelayMs(),
        options.threads());
    System.out.println();
    System.out.println("| measurement | unit | min | median | max |");
    System.out.println("| --- | --- | --- | --- | --- |");
    results.forEach((m, values) -> System.out.printf(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.0f |%n", m.label,
        m.unit, Collections.min(values), median(values), Collections.max(values)));
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }
}
