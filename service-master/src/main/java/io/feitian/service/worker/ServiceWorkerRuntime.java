package io.feitian.service.worker;

import com.google.protobuf.InvalidProtocolBufferException;
import io.feitian.common.grpc.GrpcServer;
import io.feitian.common.security.MethodPolicy;
import io.feitian.common.security.Role;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.zk.ZkSettings;
import io.feitian.common.zk.ZooKeeperClients;
import io.feitian.proto.service.v1.LoadRequest;
import io.feitian.proto.service.v1.PartitionRecord;
import io.feitian.proto.service.v1.PartitionReply;
import io.feitian.proto.service.v1.PartitionState;
import io.feitian.proto.service.v1.ServedPartition;
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
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link ServiceWorker}: serves its API and the control API on one
 * gRPC server, registers the worker in ZooKeeper (an ephemeral znode: the
 * worker's lease), and keeps the ownership rules of worker.proto. A Load is
 * carried out only if the partition table in ZooKeeper names this worker
 * owner at that epoch; requests are refused while the session is
 * disconnected; and after a session expired, only the partitions the table
 * still gives this worker are served again.
 */
public final class ServiceWorkerRuntime implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServiceWorkerRuntime.class);
  /** Table states in which a partition this worker served is still its own after its session expired. */
  private static final Set<PartitionState> KEPT_AFTER_EXPIRY = Set.of(PartitionState.PARTITION_STATE_SERVING,
      PartitionState.PARTITION_STATE_LOADING, PartitionState.PARTITION_STATE_SPLITTING);

  /** Who and where this worker is. */
  public record Identity(String appId, String workerId, String role, long grantId, String nodeId, String host,
      Path workDir, Map<String, String> env) {}

  private final Identity me;
  private final ServiceWorker worker;
  private final ZkSettings zkSettings;
  private final SecuritySettings security;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Object control = new Object();
  /** Splits carried out ("partition@epoch"), so a repeated Split is answered. Guarded by control. */
  private final java.util.Set<String> splitsDone = new java.util.HashSet<>();
  private CuratorFramework zk;
  private GrpcServer server;
  private ServingLog servingLog;
  private Ownership ownership;
  /** Connection events that need ZooKeeper calls run here, off Curator's event thread. */
  private final java.util.concurrent.ExecutorService sessionWork = java.util.concurrent.Executors
      .newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "service-worker-session");
        t.setDaemon(true);
        return t;
      });
  private WorkerRecord record;
  private volatile boolean sessionLost;

  public ServiceWorkerRuntime(Identity me, ServiceWorker worker, ZkSettings zkSettings, SecuritySettings security) {
    this.me = me;
    this.worker = worker;
    this.zkSettings = zkSettings;
    this.security = security;
  }

  /**
   * The control of partitions (Load, Unload, Split, Status) is for the
   * service-master, a process its node started (admin); the application's own
   * services need a user.
   */
  static MethodPolicy methodPolicy() {
    return MethodPolicy.requiring(Role.USER).with(Role.ADMIN, ServiceWorkerControlGrpc.SERVICE_NAME + "/*");
  }

  /** Starts serving and registers; returns the gRPC endpoint (host:port). */
  public String start() throws Exception {
    servingLog = new ServingLog(me.workerId(), me.workDir().resolve("serving.log"));
    ownership = new Ownership(servingLog);
    zk = ZooKeeperClients.start(zkSettings);
    zk.getConnectionStateListenable().addListener((client, state) -> sessionChanged(state));
    GrpcServer.Builder b = GrpcServer.netty(me.host(), 0, security).policy(methodPolicy()).service(new Control())
        .shutdownGrace(Duration.ofSeconds(2));
    for (BindableService s : worker.services(new Context())) {
      b.service(s);
    }
    server = b.build().start();
    String endpoint = me.host() + ":" + server.port();
    record = WorkerRecord.newBuilder().setWorkerId(me.workerId()).setRole(me.role())
        .setGrantId(me.grantId()).setNodeId(me.nodeId()).setEndpoint(endpoint)
        .setStartedAtMs(System.currentTimeMillis()).build();
    register();
    log.info("worker {} of {} ({}) serving at {}", me.workerId(), me.appId(), me.role(), endpoint);
    return endpoint;
  }

  private void sessionChanged(ConnectionState state) {
    switch (state) {
      case SUSPENDED -> {
        log.warn("lost touch with ZooKeeper: serving nothing until the session is back");
        ownership.pause();
      }
      case LOST -> {
        log.warn("ZooKeeper session expired: the service-master may give this worker's partitions to others");
        sessionLost = true;
        ownership.pause();
      }
      case RECONNECTED -> sessionWork.execute(this::reconnected);
      default -> { }
    }
  }

  /**
   * Back in touch with ZooKeeper. With the same session nothing was
   * reassigned (that needs the session to expire), so everything is served
   * again. With a new session the worker registers again and serves only
   * the partitions the table still gives it at the epoch it had: the
   * service-master waits the reassignment delay before moving a lost
   * worker's partitions, so a worker back within it loses nothing.
   */
  private void reconnected() {
    synchronized (control) {
      try {
        Set<String> keep = new HashSet<>();
        if (sessionLost) {
          register();
          ServiceState table = table();
          for (PartitionInfo p : ownership.all()) {
            // Still ours at our epoch: served, being confirmed (LOADING) or about to be split.
            find(table, p.id()).filter(r -> r.getOwner().equals(me.workerId()) && r.getEpoch() == p.epoch()
                && KEPT_AFTER_EXPIRY.contains(r.getState())).ifPresent(r -> keep.add(p.id()));
          }
          sessionLost = false;
        } else {
          ownership.all().forEach(p -> keep.add(p.id()));
        }
        for (PartitionInfo dropped : ownership.resume(keep)) {
          log.info("partition {} went to another worker while this one was away: dropped", dropped.id());
          worker.unload(dropped);
        }
        log.info("ZooKeeper session back: serving {}", keep);
      } catch (Exception e) {
        log.warn("could not take the partitions back after reconnecting: {}; serving nothing", e.toString());
      }
    }
  }

  private void register() throws Exception {
    String path = ServicePaths.worker(me.appId(), me.workerId());
    try {
      zk.delete().forPath(path); // left by the expired session, if ZooKeeper has not removed it yet
    } catch (KeeperException.NoNodeException ignored) {
      // the usual case
    }
    zk.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path, record.toByteArray());
  }

  /** The worker's ZooKeeper client (tests expire its session). */
  CuratorFramework zookeeper() {
    return zk;
  }

  /** Blocks until the worker is closed. */
  public void awaitClose() throws InterruptedException {
    closed.await();
  }

  /** Stops serving and leaves: deregistered with the session's end. */
  @Override
  public void close() throws Exception {
    if (closed.getCount() == 0) {
      return;
    }
    ownership.pause();
    sessionWork.shutdownNow();
    if (server != null) {
      server.close();
    }
    try {
      worker.close();
    } finally {
      if (zk != null) {
        zk.close();
      }
      if (servingLog != null) {
        servingLog.close();
      }
      closed.countDown();
    }
  }

  // ---- the ownership rules --------------------------------------------------------------------

  /** The partition's record in the table as ZooKeeper has it now (after a sync). */
  private ServiceState table() {
    String path = ServicePaths.state(me.appId());
    try {
      CountDownLatch synced = new CountDownLatch(1);
      zk.sync().inBackground((c, e) -> synced.countDown()).forPath(path);
      if (!synced.await(zkSettings.sessionTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        throw Status.UNAVAILABLE.withDescription("ZooKeeper did not answer a sync").asRuntimeException();
      }
      return ServiceState.parseFrom(zk.getData().forPath(path));
    } catch (KeeperException.NoNodeException e) {
      throw Status.FAILED_PRECONDITION.withDescription("the service has no partition table").asRuntimeException();
    } catch (InvalidProtocolBufferException e) {
      throw Status.INTERNAL.withDescription("unreadable partition table: " + e.getMessage()).asRuntimeException();
    } catch (StatusRuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw Status.UNAVAILABLE.withDescription("cannot read the partition table: " + e).asRuntimeException();
    }
  }

  private static Optional<PartitionRecord> find(ServiceState table, String id) {
    return table.getPartitionsList().stream().filter(p -> p.getId().equals(id)).findFirst();
  }

  private void requireOwner(ServiceState table, String id, long epoch, PartitionState... states) {
    PartitionRecord p = find(table, id).orElseThrow(() -> Status.FAILED_PRECONDITION
        .withDescription("the table has no partition " + id).asRuntimeException());
    boolean stateOk = java.util.Arrays.asList(states).contains(p.getState());
    if (!p.getOwner().equals(me.workerId()) || p.getEpoch() != epoch || !stateOk) {
      throw Status.FAILED_PRECONDITION.withDescription("the table gives partition " + id + " to '" + p.getOwner()
          + "' at epoch " + p.getEpoch() + " (" + p.getState() + "), not to " + me.workerId() + " at " + epoch)
          .asRuntimeException();
    }
  }

  void load(LoadRequest r) throws Exception {
    synchronized (control) {
      Optional<PartitionInfo> now = ownership.serving(r.getPartition());
      if (now.isPresent()) {
        if (now.get().epoch() == r.getEpoch()) {
          return; // a repeated Load
        }
        throw Status.FAILED_PRECONDITION.withDescription("partition " + r.getPartition() + " is served here at epoch "
            + now.get().epoch() + ", not " + r.getEpoch()).asRuntimeException();
      }
      requireOwner(table(), r.getPartition(), r.getEpoch(), PartitionState.PARTITION_STATE_LOADING,
          PartitionState.PARTITION_STATE_SERVING);
      PartitionInfo p = new PartitionInfo(r.getPartition(), new KeyRange(r.getStart(), r.getEnd()), r.getEpoch());
      worker.load(p);
      ownership.start(p);
      log.info("loaded {} {} at epoch {}", p.id(), p.range(), p.epoch());
    }
  }

  void unload(UnloadRequest r) throws Exception {
    synchronized (control) {
      Optional<PartitionInfo> now = ownership.serving(r.getPartition());
      if (now.isEmpty()) {
        return; // never loaded here, or a repeated Unload
      }
      if (now.get().epoch() != r.getEpoch()) {
        throw Status.FAILED_PRECONDITION.withDescription("partition " + r.getPartition() + " is served here at epoch "
            + now.get().epoch() + ", not " + r.getEpoch()).asRuntimeException();
      }
      ownership.stop(r.getPartition());
      worker.unload(now.get());
      log.info("unloaded {} at epoch {}", r.getPartition(), r.getEpoch());
    }
  }

  /**
   * Stops serving the partition and lets the worker divide its data; the
   * halves are served only once the service-master loads them (the table
   * names them after this split is confirmed), so the parent's data stays
   * complete if this worker dies in between.
   */
  void split(SplitRequest r) throws Exception {
    synchronized (control) {
      if (splitsDone.contains(r.getPartition() + "@" + r.getEpoch())) {
        return; // a repeated Split
      }
      PartitionInfo p = ownership.serving(r.getPartition()).orElseThrow(() -> Status.FAILED_PRECONDITION
          .withDescription("partition " + r.getPartition() + " is not served here").asRuntimeException());
      if (p.epoch() + 1 != r.getEpoch() || !p.range().canSplitAt(r.getAt())) {
        throw Status.FAILED_PRECONDITION.withDescription("partition " + r.getPartition() + " " + p.range()
            + " at epoch " + p.epoch() + " cannot be split at '" + r.getAt() + "' into epoch " + r.getEpoch())
            .asRuntimeException();
      }
      requireOwner(table(), r.getPartition(), p.epoch(), PartitionState.PARTITION_STATE_SPLITTING);
      PartitionInfo lower = new PartitionInfo(r.getLower(), p.range().lower(r.getAt()), r.getEpoch());
      PartitionInfo upper = new PartitionInfo(r.getUpper(), p.range().upper(r.getAt()), r.getEpoch());
      ownership.stop(p.id());
      try {
        worker.split(p, lower, upper);
      } catch (Exception e) {
        ownership.start(p); // nothing changed: serve it as it was
        throw e;
      }
      splitsDone.add(r.getPartition() + "@" + r.getEpoch());
      log.info("split {} at '{}' into {} and {}; they are served once loaded at epoch {}", p.id(), r.getAt(),
          lower.id(), upper.id(), r.getEpoch());
    }
  }

  WorkerStatus status() {
    String unhealthy = worker.unhealthyBecause();
    WorkerStatus.Builder s = WorkerStatus.newBuilder().setWorkerId(me.workerId()).setHealthy(unhealthy.isEmpty())
        .setDetail(unhealthy);
    for (PartitionInfo p : ownership.all()) {
      s.addServing(ServedPartition.newBuilder().setPartition(p.id()).setStart(p.range().start())
          .setEnd(p.range().end()).setEpoch(p.epoch()));
    }
    return s.build();
  }

  // ---- gRPC -----------------------------------------------------------------------------------

  private interface Step {
    void run() throws Exception;
  }

  private final class Control extends ServiceWorkerControlGrpc.ServiceWorkerControlImplBase {
    private void answer(Step step, StreamObserver<PartitionReply> out) {
      try {
        step.run();
        out.onNext(PartitionReply.getDefaultInstance());
        out.onCompleted();
      } catch (StatusRuntimeException e) {
        out.onError(e);
      } catch (Exception e) {
        log.warn("partition operation failed", e);
        out.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
      }
    }

    @Override
    public void load(LoadRequest r, StreamObserver<PartitionReply> out) {
      answer(() -> ServiceWorkerRuntime.this.load(r), out);
    }

    @Override
    public void unload(UnloadRequest r, StreamObserver<PartitionReply> out) {
      answer(() -> ServiceWorkerRuntime.this.unload(r), out);
    }

    @Override
    public void split(SplitRequest r, StreamObserver<PartitionReply> out) {
      answer(() -> ServiceWorkerRuntime.this.split(r), out);
    }

    @Override
    public void status(WorkerStatusRequest r, StreamObserver<WorkerStatus> out) {
      out.onNext(ServiceWorkerRuntime.this.status());
      out.onCompleted();
    }
  }

  private final class Context implements WorkerContext {
    @Override
    public String appId() {
      return me.appId();
    }

    @Override
    public String workerId() {
      return me.workerId();
    }

    @Override
    public String role() {
      return me.role();
    }

    @Override
    public Path workDir() {
      return me.workDir();
    }

    @Override
    public Map<String, String> env() {
      return me.env();
    }

    @Override
    public Served serve(String key) {
      return ownership.serve(key);
    }
  }
}
