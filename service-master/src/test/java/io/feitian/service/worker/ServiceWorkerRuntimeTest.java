package io.feitian.service.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.feitian.common.grpc.Channels;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.zk.ZkSettings;
import io.feitian.common.zk.ZooKeeperClients;
import io.feitian.proto.service.v1.LoadRequest;
import io.feitian.proto.service.v1.PartitionRecord;
import io.feitian.proto.service.v1.PartitionReply;
import io.feitian.proto.service.v1.PartitionState;
import io.feitian.proto.service.v1.ServiceState;
import io.feitian.proto.service.v1.ServiceWorkerControlGrpc;
import io.feitian.proto.service.v1.SplitRequest;
import io.feitian.proto.service.v1.UnloadRequest;
import io.feitian.proto.service.v1.WorkerRecord;
import io.feitian.proto.service.v1.WorkerStatus;
import io.feitian.proto.service.v1.WorkerStatusRequest;
import io.feitian.service.partition.KeyRange;
import io.feitian.service.state.ServicePaths;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.data.Stat;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@link ServiceWorkerRuntime} against an in-process ZooKeeper, with
 * the test playing the service-master: it writes the partition table
 * ({@code /services/<app>/state}) and calls the control API over gRPC.
 */
class ServiceWorkerRuntimeTest {
  private static final String APP = "app-1";
  private static final String ME = "w1";
  private static final String NAMESPACE = "feitian/test";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private TestingServer server;
  private CuratorFramework master;
  private Recorder worker;
  private ServiceWorkerRuntime runtime;
  private Path workDir;
  private String endpoint;
  private ManagedChannel channel;
  private final ExecutorService async = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "test-async");
    t.setDaemon(true);
    return t;
  });
  private final List<AutoCloseable> held = new CopyOnWriteArrayList<>();
  /** The partition table as the test (the service-master) last wrote it. */
  private final Map<String, PartitionRecord> table = new LinkedHashMap<>();

  // ---- the worker under test ------------------------------------------------------------------

  /** Records what the runtime asks of it. */
  static final class Recorder implements ServiceWorker {
    final List<PartitionInfo> loads = new CopyOnWriteArrayList<>();
    final List<PartitionInfo> unloads = new CopyOnWriteArrayList<>();
    final List<List<PartitionInfo>> splits = new CopyOnWriteArrayList<>();
    volatile WorkerContext context;
    volatile int servicesCalls;

    @Override
    public List<BindableService> services(WorkerContext context) {
      this.context = context;
      servicesCalls++;
      return List.of();
    }

    @Override
    public void load(PartitionInfo partition) {
      loads.add(partition);
    }

    @Override
    public void unload(PartitionInfo partition) {
      unloads.add(partition);
    }

    @Override
    public void split(PartitionInfo partition, PartitionInfo lower, PartitionInfo upper) {
      splits.add(List.of(partition, lower, upper));
    }
  }

  // ---- set up and tear down -------------------------------------------------------------------

  /** A ZooKeeper with a 3 s tick (sessions of 6..60 s) and a worker with a 20 s session. */
  private void start() throws Exception {
    start(-1, Duration.ofSeconds(20));
  }

  private void start(int tickTimeMs, Duration sessionTimeout) throws Exception {
    server = new TestingServer(new InstanceSpec(dir.resolve("zk").toFile(), -1, -1, -1, true, -1, tickTimeMs, -1),
        true);
    ZkSettings zk = new ZkSettings(server.getConnectString(), sessionTimeout, Duration.ofSeconds(10), NAMESPACE);
    master = ZooKeeperClients.start(zk);
    workDir = Files.createDirectories(dir.resolve("work"));
    worker = new Recorder();
    runtime = new ServiceWorkerRuntime(new ServiceWorkerRuntime.Identity(APP, ME, "kv", 42L, "node-7", "127.0.0.1",
        workDir, Map.of("SOME_ENV", "x")), worker, zk, SecuritySettings.INSECURE);
    endpoint = runtime.start();
    channel = Channels.open(endpoint, SecuritySettings.INSECURE);
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : held) {
      c.close();
    }
    if (channel != null) {
      channel.shutdownNow();
    }
    if (runtime != null) {
      runtime.close();
    }
    if (master != null) {
      master.close();
    }
    if (server != null) {
      server.close();
    }
    async.shutdownNow();
  }

  // ---- helpers --------------------------------------------------------------------------------

  private ServiceWorkerControlGrpc.ServiceWorkerControlBlockingStub control() {
    return ServiceWorkerControlGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static PartitionRecord rec(String id, String start, String end, String owner, long epoch,
      PartitionState state) {
    return PartitionRecord.newBuilder().setId(id).setStart(start).setEnd(end).setOwner(owner).setEpoch(epoch)
        .setState(state).build();
  }

  /** Writes the table with {@code records} put in (replacing the rows of the same ids). */
  private void put(PartitionRecord... records) throws Exception {
    for (PartitionRecord r : records) {
      table.put(r.getId(), r);
    }
    writeTable();
  }

  private void drop(String id) throws Exception {
    table.remove(id);
    writeTable();
  }

  private void writeTable() throws Exception {
    byte[] state = ServiceState.newBuilder().putRoleWorkers("kv", 1).addAllPartitions(table.values()).build()
        .toByteArray();
    master.create().orSetData().creatingParentsIfNeeded().forPath(ServicePaths.state(APP), state);
  }

  private static LoadRequest loadRequest(String id, String start, String end, long epoch) {
    return LoadRequest.newBuilder().setPartition(id).setStart(start).setEnd(end).setEpoch(epoch).build();
  }

  private static UnloadRequest unloadRequest(String id, long epoch) {
    return UnloadRequest.newBuilder().setPartition(id).setEpoch(epoch).build();
  }

  /** What the service-master does: table says LOADING, Load, then table says SERVING. */
  private void loadServing(String id, String start, String end, long epoch) throws Exception {
    put(rec(id, start, end, ME, epoch, PartitionState.PARTITION_STATE_LOADING));
    control().load(loadRequest(id, start, end, epoch));
    put(rec(id, start, end, ME, epoch, PartitionState.PARTITION_STATE_SERVING));
  }

  private static PartitionInfo info(String id, String start, String end, long epoch) {
    return new PartitionInfo(id, new KeyRange(start, end), epoch);
  }

  private Served serve(String key) {
    return worker.context.serve(key);
  }

  private void assertServes(String key, String partition) {
    try (Served s = serve(key)) {
      assertThat(s.partition().id()).as("partition serving '%s'", key).isEqualTo(partition);
      assertThat(s.partition().range().contains(key)).isTrue();
    }
  }

  private void assertRefuses(String key) {
    assertFailedPrecondition(() -> serve(key).close());
  }

  /** Whether {@code key} is served now (false when refused with FAILED_PRECONDITION). */
  private boolean serves(String key) {
    try (Served s = serve(key)) {
      return true;
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
      return false;
    }
  }

  private static void assertFailedPrecondition(ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).as(e.getMessage()).isEqualTo(Status.Code.FAILED_PRECONDITION));
  }

  private WorkerStatus status() {
    return control().status(WorkerStatusRequest.getDefaultInstance());
  }

  private List<String> servingIds() {
    return status().getServingList().stream().map(p -> p.getPartition() + "@" + p.getEpoch()).toList();
  }

  /** The session owning the worker's znode, 0 when there is none. */
  private long znodeOwner() throws Exception {
    Stat stat = master.checkExists().forPath(ServicePaths.worker(APP, ME));
    return stat == null ? 0 : stat.getEphemeralOwner();
  }

  /** Whether some thread is parked inside {@code Ownership.<method>} (e.g. stop waiting for its write lock). */
  private static boolean parkedIn(String method) {
    return Thread.getAllStackTraces().entrySet().stream().anyMatch(e -> {
      Thread.State s = e.getKey().getState();
      return (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) && Arrays.stream(e.getValue())
          .anyMatch(f -> f.getClassName().equals(Ownership.class.getName()) && f.getMethodName().equals(method));
    });
  }

  /** The runtime's own Curator client, to expire its session. */
  private static CuratorFramework zkOf(ServiceWorkerRuntime runtime) {
    return runtime.zookeeper();
  }

  private static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
  }

  /** One line of serving.log, keys decoded ("" for an open end). */
  record LogLine(long micros, String worker, String event, String partition, String start, String end, long epoch) {}

  private List<String> rawServingLog() throws Exception {
    return Files.readAllLines(workDir.resolve("serving.log"), StandardCharsets.UTF_8);
  }

  private List<LogLine> servingLog() throws Exception {
    List<LogLine> lines = new ArrayList<>();
    for (String raw : rawServingLog()) {
      String[] f = raw.split(" ");
      assertThat(f).as("serving.log line '%s'", raw).hasSize(7);
      assertThat(f[2]).as(raw).isIn("START", "END");
      lines.add(new LogLine(Long.parseLong(f[0]), f[1], f[2], f[3], key(f[4]), key(f[5]), Long.parseLong(f[6])));
    }
    return lines;
  }

  private static String key(String logged) {
    return logged.equals("-") ? "" : URLDecoder.decode(logged, StandardCharsets.UTF_8);
  }

  private List<String> events(String partition) throws Exception {
    return servingLog().stream().filter(l -> l.partition().equals(partition)).map(LogLine::event).toList();
  }

  // ---- registration ---------------------------------------------------------------------------

  @Test
  void registersItsWorkerRecordAsAnEphemeralZnodeAndLeavesWithItsSession() throws Exception {
    long before = System.currentTimeMillis();
    start();
    assertThat(worker.servicesCalls).isEqualTo(1);
    assertThat(worker.context.appId()).isEqualTo(APP);
    assertThat(worker.context.workerId()).isEqualTo(ME);
    assertThat(worker.context.role()).isEqualTo("kv");
    assertThat(worker.context.workDir()).isEqualTo(workDir);
    assertThat(worker.context.env()).containsEntry("SOME_ENV", "x");

    Stat stat = new Stat();
    WorkerRecord r = WorkerRecord.parseFrom(master.getData().storingStatIn(stat).forPath(ServicePaths.worker(APP, ME)));
    assertThat(endpoint).startsWith("127.0.0.1:");
    assertThat(r.getEndpoint()).isEqualTo(endpoint);
    assertThat(r.getWorkerId()).isEqualTo(ME);
    assertThat(r.getRole()).isEqualTo("kv");
    assertThat(r.getGrantId()).isEqualTo(42L);
    assertThat(r.getNodeId()).isEqualTo("node-7");
    assertThat(r.getStartedAtMs()).isBetween(before, System.currentTimeMillis());
    assertThat(stat.getEphemeralOwner()).as("EPHEMERAL: owned by the worker's session").isNotZero()
        .isNotEqualTo(master.getZookeeperClient().getZooKeeper().getSessionId());

    // The registered endpoint serves the control API.
    WorkerStatus s = status();
    assertThat(s.getWorkerId()).isEqualTo(ME);
    assertThat(s.getHealthy()).isTrue();
    assertThat(s.getServingList()).isEmpty();

    runtime.close();
    await().atMost(WAIT).until(() -> znodeOwner() == 0);
  }

  // ---- Load -----------------------------------------------------------------------------------

  @Test
  void loadIsCarriedOutOnlyWhenTheTableNamesThisWorkerAtThatEpoch() throws Exception {
    start();
    LoadRequest load = loadRequest("p1", "a", "m", 1);

    // No table at all.
    assertFailedPrecondition(() -> control().load(load));
    // The table has no such partition.
    put(rec("p0", "", "a", ME, 1, PartitionState.PARTITION_STATE_LOADING));
    assertFailedPrecondition(() -> control().load(load));
    // Another owner.
    put(rec("p1", "a", "m", "w2", 1, PartitionState.PARTITION_STATE_LOADING));
    assertThatThrownBy(() -> control().load(load)).hasMessageContaining("FAILED_PRECONDITION")
        .hasMessageContaining("w2");
    // This worker, but another epoch (newer or older).
    put(rec("p1", "a", "m", ME, 2, PartitionState.PARTITION_STATE_LOADING));
    assertFailedPrecondition(() -> control().load(load));
    put(rec("p1", "a", "m", ME, 0, PartitionState.PARTITION_STATE_LOADING));
    assertFailedPrecondition(() -> control().load(load));
    // This worker at this epoch, but the partition is on its way out.
    put(rec("p1", "a", "m", ME, 1, PartitionState.PARTITION_STATE_UNLOADING));
    assertFailedPrecondition(() -> control().load(load));

    assertThat(worker.loads).as("a refused Load never reaches the worker").isEmpty();
    assertRefuses("c");
    assertThat(servingIds()).isEmpty();

    put(rec("p1", "a", "m", ME, 1, PartitionState.PARTITION_STATE_LOADING));
    assertThat(control().load(load)).isEqualTo(PartitionReply.getDefaultInstance());
    assertThat(worker.loads).containsExactly(info("p1", "a", "m", 1));
    assertServes("c", "p1");
    assertThat(servingIds()).containsExactly("p1@1");

    // A repeated Load (the service-master retrying) is answered without loading again,
    // also once the table says SERVING.
    control().load(load);
    put(rec("p1", "a", "m", ME, 1, PartitionState.PARTITION_STATE_SERVING));
    control().load(load);
    assertThat(worker.loads).hasSize(1);

    // A Load at another epoch of a partition served here is refused, whatever the table says.
    put(rec("p1", "a", "m", ME, 2, PartitionState.PARTITION_STATE_LOADING));
    assertFailedPrecondition(() -> control().load(loadRequest("p1", "a", "m", 2)));
    assertThat(worker.loads).hasSize(1);
    assertServes("c", "p1");
  }

  // ---- serve() and Unload ---------------------------------------------------------------------

  @Test
  void serveAdmitsKeysOfServedRangesOnlyAndStopsAtUnload() throws Exception {
    start();
    loadServing("p1", "b", "m", 1);
    loadServing("p2", "p", "", 1); // [m, p) is not served here

    assertServes("b", "p1");
    assertServes("lzzz", "p1");
    assertRefuses("m"); // ends are exclusive
    assertRefuses("ozzz");
    assertServes("p", "p2");
    assertServes("\uffff", "p2"); // open end
    assertRefuses("a");
    assertRefuses(""); // below every served range

    // An Unload at another epoch is refused and changes nothing.
    assertFailedPrecondition(() -> control().unload(unloadRequest("p1", 2)));
    assertServes("c", "p1");
    assertThat(worker.unloads).isEmpty();

    control().unload(unloadRequest("p1", 1));
    assertThat(worker.unloads).containsExactly(info("p1", "b", "m", 1));
    assertRefuses("b");
    assertRefuses("c");
    assertServes("q", "p2");
    assertThat(servingIds()).containsExactly("p2@1");

    // A repeated Unload, and one for a partition never served here, are answered.
    control().unload(unloadRequest("p1", 1));
    control().unload(unloadRequest("p9", 1));
    assertThat(worker.unloads).hasSize(1);
  }

  @Test
  void unloadWaitsForTheRequestInFlight() throws Exception {
    start();
    loadServing("p1", "a", "m", 1);

    Served inFlight = serve("c");
    held.add(inFlight);
    Future<PartitionReply> unload = async.submit(() -> control().unload(unloadRequest("p1", 1)));

    await().atMost(WAIT).until(() -> unload.isDone() || parkedIn("stop"));
    assertThat(unload.isDone()).as("the Unload completed while a request held the partition").isFalse();
    assertThatThrownBy(() -> unload.get(500, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
    assertThat(worker.unloads).as("unload is not called while a request holds the partition").isEmpty();
    assertThat(inFlight.partition()).isEqualTo(info("p1", "a", "m", 1));

    long releasedAt = nowMicros();
    inFlight.close();
    assertThat(unload.get(30, TimeUnit.SECONDS)).isEqualTo(PartitionReply.getDefaultInstance());
    assertThat(worker.unloads).containsExactly(info("p1", "a", "m", 1));
    assertRefuses("c");

    List<LogLine> ends = servingLog().stream().filter(l -> l.event().equals("END")).toList();
    assertThat(ends).hasSize(1);
    assertThat(ends.get(0).micros()).as("END is logged after the last request finished")
        .isGreaterThanOrEqualTo(releasedAt);
  }

  /**
   * Ownership's contract: stopping a partition "waits for requests in flight
   * and lets no new one in". A request that arrives while an Unload waits
   * must be refused, or the Unload can be put off for as long as requests
   * keep overlapping.
   */
  @Test
  void aRequestArrivingWhileAnUnloadWaitsIsNotLetIn() throws Exception {
    start();
    loadServing("p1", "a", "m", 1);

    Served first = serve("c");
    held.add(first);
    Future<PartitionReply> unload = async.submit(() -> control().unload(unloadRequest("p1", 1)));
    await().atMost(WAIT).until(() -> unload.isDone() || parkedIn("stop"));
    assertThat(unload.isDone()).as("the Unload completed while a request held the partition").isFalse();

    CompletableFuture<Served> second = CompletableFuture.supplyAsync(() -> serve("d"), async);
    // Either refused at once, or held back until the Unload is through (then refused).
    await().atMost(WAIT).until(() -> second.isDone() || parkedIn("serve"));
    if (second.isDone() && !second.isCompletedExceptionally()) {
      Served admitted = second.get();
      held.add(admitted);
      first.close();
      boolean unloadDone = false;
      try {
        unload.get(1, TimeUnit.SECONDS);
        unloadDone = true;
      } catch (TimeoutException stillWaiting) {
        // the evidence below
      }
      assertThat(admitted).as("a request for 'd' was let in while the Unload of p1 waited for the one in flight; "
          + "after that first request finished, the Unload %s", unloadDone ? "completed" : "is still waiting (on it)")
          .isNull();
    }
    first.close();
    assertThatThrownBy(() -> second.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
    unload.get(30, TimeUnit.SECONDS);
    assertThat(worker.unloads).hasSize(1);
  }

  // ---- Split ----------------------------------------------------------------------------------

  @Test
  void splitStopsTheParentAndTheHalvesAreServedOnlyOnceLoaded() throws Exception {
    start();
    loadServing("p1", "a", "z", 1);
    SplitRequest split = SplitRequest.newBuilder().setPartition("p1").setAt("m").setLower("p1a").setUpper("p1b")
        .setEpoch(2).build();

    // The table does not say SPLITTING: refused, still served.
    assertFailedPrecondition(() -> control().split(split));
    put(rec("p1", "a", "z", ME, 1, PartitionState.PARTITION_STATE_SPLITTING).toBuilder().setNext("m").build());
    // The halves' epoch must be the parent's + 1; the key must split the range into two non-empty halves.
    assertFailedPrecondition(() -> control().split(split.toBuilder().setEpoch(3).build()));
    assertFailedPrecondition(() -> control().split(split.toBuilder().setEpoch(1).build()));
    assertFailedPrecondition(() -> control().split(split.toBuilder().setAt("a").build()));
    assertFailedPrecondition(() -> control().split(split.toBuilder().setAt("zz").build()));
    // Not served here.
    assertFailedPrecondition(() -> control().split(split.toBuilder().setPartition("p9").build()));
    assertThat(worker.splits).isEmpty();
    assertServes("c", "p1");

    control().split(split);
    assertThat(worker.splits).containsExactly(
        List.of(info("p1", "a", "z", 1), info("p1a", "a", "m", 2), info("p1b", "m", "z", 2)));
    assertRefuses("c");
    assertRefuses("n");
    assertThat(servingIds()).isEmpty();
    assertThat(worker.unloads).as("a split is not an unload").isEmpty();

    // The service-master retries: answered, not split again.
    control().split(split);
    assertThat(worker.splits).hasSize(1);

    // Before the split is confirmed in the table, the halves cannot be loaded.
    assertFailedPrecondition(() -> control().load(loadRequest("p1a", "a", "m", 2)));

    // The service-master confirms the split: the halves are LOADING at the new epoch.
    drop("p1");
    put(rec("p1a", "a", "m", ME, 2, PartitionState.PARTITION_STATE_LOADING),
        rec("p1b", "m", "z", ME, 2, PartitionState.PARTITION_STATE_LOADING));
    assertFailedPrecondition(() -> control().load(loadRequest("p1a", "a", "m", 1)));
    assertRefuses("c");

    control().load(loadRequest("p1a", "a", "m", 2));
    assertServes("c", "p1a");
    assertRefuses("n");
    control().load(loadRequest("p1b", "m", "z", 2));
    assertServes("n", "p1b");
    assertServes("a", "p1a");
    assertRefuses("z");
    assertThat(worker.loads).containsExactly(info("p1", "a", "z", 1), info("p1a", "a", "m", 2),
        info("p1b", "m", "z", 2));
    assertThat(servingIds()).containsExactlyInAnyOrder("p1a@2", "p1b@2");
    control().split(split);
    assertThat(worker.splits).as("a late repeat of the Split changes nothing").hasSize(1);
    assertServes("c", "p1a");
  }

  // ---- serving.log ----------------------------------------------------------------------------

  @Test
  void servingLogHasAStartAndAnEndForEveryServingInterval() throws Exception {
    long from = nowMicros();
    start();
    loadServing("p1", "", "m n", 1);
    loadServing("p2", "m n", "", 1);
    control().unload(unloadRequest("p1", 1));
    put(rec("p2", "m n", "", ME, 1, PartitionState.PARTITION_STATE_SPLITTING).toBuilder().setNext("t").build());
    control().split(SplitRequest.newBuilder().setPartition("p2").setAt("t").setLower("p2a").setUpper("p2b")
        .setEpoch(2).build());
    drop("p2");
    loadServing("p2a", "m n", "t", 2);
    loadServing("p2b", "t", "", 2);
    long to = nowMicros();

    List<String> raw = rawServingLog();
    assertThat(raw.get(0)).as("keys URL-encoded, '-' for an open end").matches("\\d+ w1 START p1 - m\\+n 1");
    List<LogLine> lines = servingLog();
    assertThat(lines).extracting(LogLine::worker, LogLine::event, LogLine::partition, LogLine::start, LogLine::end,
        LogLine::epoch).containsExactly(
            tuple(ME, "START", "p1", "", "m n", 1L),
            tuple(ME, "START", "p2", "m n", "", 1L),
            tuple(ME, "END", "p1", "", "m n", 1L),
            tuple(ME, "END", "p2", "m n", "", 1L),
            tuple(ME, "START", "p2a", "m n", "t", 2L),
            tuple(ME, "START", "p2b", "t", "", 2L));
    assertThat(lines).extracting(LogLine::micros).isSorted().allSatisfy(m -> assertThat(m).isBetween(from, to));

    // Closing the worker ends the intervals still open.
    runtime.close();
    assertThat(servingLog().subList(6, servingLog().size())).extracting(LogLine::event, LogLine::partition)
        .containsExactlyInAnyOrder(tuple("END", "p2a"), tuple("END", "p2b"));
  }

  // ---- ZooKeeper connection and session -------------------------------------------------------

  @Test
  void lostTouchWithZooKeeperServesNothingUntilTheSameSessionIsBack() throws Exception {
    start(); // 20 s sessions: the outage below does not expire it
    loadServing("p1", "a", "m", 1);
    long session = znodeOwner();
    assertThat(session).isNotZero();

    server.stop();
    // Well within the session timeout: it is the lost connection, not an expiry, that stops serving.
    await().atMost(Duration.ofSeconds(10)).until(() -> !serves("c"));
    assertThatThrownBy(() -> serve("c")).hasMessageContaining("lost touch with ZooKeeper");
    assertThat(servingIds()).as("the partition is kept, only not served").containsExactly("p1@1");

    server.restart();
    await().atMost(WAIT).until(() -> serves("c"));
    assertServes("c", "p1");
    assertRefuses("n");
    await().atMost(WAIT).until(() -> znodeOwner() != 0);
    assertThat(znodeOwner()).as("the same session, so the same registration").isEqualTo(session);
    assertThat(worker.unloads).isEmpty();
    assertThat(worker.loads).hasSize(1);
    assertThat(events("p1")).containsExactly("START", "END", "START");
  }

  @Test
  void afterItsSessionExpiredTheWorkerRegistersAgainAndKeepsOnlyWhatTheTableStillGivesIt() throws Exception {
    start(200, Duration.ofSeconds(2));
    loadServing("p1", "a", "m", 1);
    loadServing("p2", "m", "z", 1);
    loadServing("p3", "z", "", 1);
    // Meanwhile the service-master moved p2 to another worker and p3 is being unloaded.
    put(rec("p2", "m", "z", "w2", 2, PartitionState.PARTITION_STATE_LOADING),
        rec("p3", "z", "", ME, 1, PartitionState.PARTITION_STATE_UNLOADING));
    long oldSession = znodeOwner();
    byte[] oldRecord = master.getData().forPath(ServicePaths.worker(APP, ME));

    zkOf(runtime).getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();

    expectRecoveredWith(oldSession, oldRecord);
  }

  @Test
  void aZooKeeperOutageLongerThanTheSessionIsASessionExpiry() throws Exception {
    start(200, Duration.ofSeconds(2));
    loadServing("p1", "a", "m", 1);
    loadServing("p2", "m", "z", 1);
    loadServing("p3", "z", "", 1);
    put(rec("p2", "m", "z", "w2", 2, PartitionState.PARTITION_STATE_LOADING),
        rec("p3", "z", "", ME, 1, PartitionState.PARTITION_STATE_UNLOADING));
    long oldSession = znodeOwner();
    byte[] oldRecord = master.getData().forPath(ServicePaths.worker(APP, ME));
    List<ConnectionState> seen = new CopyOnWriteArrayList<>();
    zkOf(runtime).getConnectionStateListenable().addListener((c, state) -> seen.add(state));

    server.stop();
    await().atMost(WAIT).until(() -> !serves("c"));
    await().atMost(WAIT).until(() -> seen.contains(ConnectionState.LOST));
    assertRefuses("c");
    server.restart(); // the old session is restored here, and its znode with it, until it times out

    expectRecoveredWith(oldSession, oldRecord);
  }

  /**
   * The service-master marked p1 SPLITTING (owner this worker, epoch 1) and
   * the worker's session expired before the Split reached it. Back within the
   * reassignment delay, the table still gives p1 to this worker at epoch 1,
   * and the service-master retries the Split (retryStuckMoves): the worker
   * must still hold p1 to carry it out.
   */
  @Test
  void aPartitionBeingSplitWhenTheSessionExpiredIsKeptForTheSplit() throws Exception {
    start(200, Duration.ofSeconds(2));
    loadServing("p1", "a", "z", 1);
    put(rec("p1", "a", "z", ME, 1, PartitionState.PARTITION_STATE_SPLITTING).toBuilder().setNext("m").build());
    long oldSession = znodeOwner();

    zkOf(runtime).getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();

    await().atMost(WAIT).until(() -> {
      long owner = znodeOwner();
      return owner != 0 && owner != oldSession;
    });
    await().atMost(WAIT).until(() -> serves("c") || !worker.unloads.isEmpty());
    SplitRequest split = SplitRequest.newBuilder().setPartition("p1").setAt("m").setLower("p1a").setUpper("p1b")
        .setEpoch(2).build();
    Throwable splitError = catchThrowable(() -> control().split(split));
    assertThat(worker.unloads).as("p1 is still this worker's at epoch 1 (SPLITTING) in the table, yet it was "
        + "dropped after the session came back; the service-master's retried Split then got: %s", splitError)
        .isEmpty();
    assertThat(splitError).isNull();
    assertThat(worker.splits).containsExactly(
        List.of(info("p1", "a", "z", 1), info("p1a", "a", "m", 2), info("p1b", "m", "z", 2)));
  }

  /** After a session expiry: registered again under a new session, serving p1 only, p2 and p3 dropped. */
  private void expectRecoveredWith(long oldSession, byte[] oldRecord) throws Exception {
    await().atMost(WAIT).until(() -> {
      long owner = znodeOwner();
      return owner != 0 && owner != oldSession;
    });
    assertThat(master.getData().forPath(ServicePaths.worker(APP, ME))).as("the same WorkerRecord")
        .isEqualTo(oldRecord);
    await().atMost(WAIT).until(() -> worker.unloads.size() >= 2);
    assertThat(worker.unloads).as("the partitions no longer this worker's at its epoch are dropped")
        .containsExactlyInAnyOrder(info("p2", "m", "z", 1), info("p3", "z", "", 1));
    await().atMost(WAIT).until(() -> serves("c"));
    assertServes("c", "p1");
    assertRefuses("n");
    assertRefuses("zz");
    assertThat(servingIds()).containsExactly("p1@1");
    assertThat(events("p1")).containsExactly("START", "END", "START");
    assertThat(events("p2")).containsExactly("START", "END");
    assertThat(events("p3")).containsExactly("START", "END");

    long newSession = znodeOwner();
    // p2 can be loaded again when the table gives it back (a Load after the drop is a fresh load).
    put(rec("p2", "m", "z", ME, 3, PartitionState.PARTITION_STATE_LOADING));
    control().load(loadRequest("p2", "m", "z", 3));
    assertServes("n", "p2");
    assertThat(znodeOwner()).isEqualTo(newSession);
  }
}
