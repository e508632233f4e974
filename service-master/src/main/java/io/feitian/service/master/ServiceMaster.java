package io.feitian.service.master;

import io.feitian.common.grpc.StatusText;
import com.google.protobuf.InvalidProtocolBufferException;
import io.feitian.client.AppMasterSession;
import io.feitian.client.AppStates;
import io.feitian.client.FeitianClient;
import io.feitian.client.MasterLoop;
import io.feitian.common.grpc.CallSettings;
import io.feitian.common.grpc.Channels;
import io.feitian.common.zk.FencedOutException;
import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.fuxi.v1.LaunchRequest;
import io.feitian.proto.fuxi.v1.LaunchResponse;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import io.feitian.proto.fuxi.v1.ListWorkersRequest;
import io.feitian.proto.fuxi.v1.ListWorkersResponse;
import io.feitian.proto.fuxi.v1.LocalityLevel;
import io.feitian.proto.fuxi.v1.ProcessProgram;
import io.feitian.proto.fuxi.v1.RevokeReason;
import io.feitian.proto.fuxi.v1.TaskWorkerServiceGrpc;
import io.feitian.proto.fuxi.v1.ThreadProgram;
import io.feitian.proto.service.v1.LoadRequest;
import io.feitian.proto.service.v1.PartitionReply;
import io.feitian.proto.service.v1.RoleSpec;
import io.feitian.proto.service.v1.RoleStatus;
import io.feitian.proto.service.v1.ServiceSpec;
import io.feitian.proto.service.v1.ServiceState;
import io.feitian.proto.service.v1.ServiceStatus;
import io.feitian.proto.service.v1.ServiceWorkerControlGrpc;
import io.feitian.proto.service.v1.SplitRequest;
import io.feitian.proto.service.v1.UnloadRequest;
import io.feitian.proto.service.v1.WorkerInfo;
import io.feitian.proto.service.v1.WorkerRecord;
import io.feitian.service.members.Effect;
import io.feitian.service.members.MemberBook;
import io.feitian.service.members.Placement;
import io.feitian.service.members.Role;
import io.feitian.service.partition.Action;
import io.feitian.service.partition.Partition;
import io.feitian.service.partition.PartitionTable;
import io.feitian.service.state.ServicePaths;
import io.feitian.service.state.ServiceStore;
import io.feitian.service.state.TableCodec;
import io.feitian.service.worker.ServiceWorkerMain;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service, kept running: asks Fuxi for the workers of every role,
 * starts them on their grants, replaces those that die, and keeps the
 * partitions of the partitioned role owned by exactly one live worker each
 * (the {@link PartitionTable}, persisted in ZooKeeper before any worker is
 * told of a change).
 *
 * <p>The decisions are the {@link MemberBook}'s. This class is its shell: it
 * turns Fuxi's calls, the workers' znodes, the nodes' reports, ServiceAdmin
 * calls and a tick every second into calls on the book, stores the state,
 * and carries out the {@link Effect}s the book returns.
 *
 * <p>All state lives on one loop thread; RPC handlers, ZooKeeper and Fuxi
 * callbacks hand work to it.
 */
final class ServiceMaster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServiceMaster.class);
  static final long CONTROL_DEADLINE_MS = 30_000;

  private final String appId;
  private final ServiceSpec spec;
  private final Map<String, RoleSpec> roles = new LinkedHashMap<>();
  private final FeitianClient client;
  private final CallSettings calls;
  private final CuratorFramework zk;
  private final ServiceStore store;
  private final Map<String, String> workerEnv;
  private final Clock clock;
  private final MasterLoop loop;
  private final CountDownLatch ended = new CountDownLatch(1);
  private volatile int exitCode;
  private AppMasterSession session;
  private CuratorCache workerCache;
  private final NodeWatches nodeWatches;

  // Loop-confined state.
  private final PartitionTable table;
  private final MemberBook book;
  private boolean finished;

  ServiceMaster(String appId, ServiceSpec spec, ServiceState state, FeitianClient client, CuratorFramework zk,
      ServiceStore store, Map<String, String> workerEnv, Clock clock) {
    this.appId = appId;
    this.spec = spec;
    this.client = client;
    this.calls = client.callSettings();
    this.zk = zk;
    this.store = store;
    this.workerEnv = Map.copyOf(workerEnv);
    this.clock = clock;
    this.loop = new MasterLoop("service-master", this::failed);
    this.nodeWatches = new NodeWatches(appId, this::channel, calls, client.timer(),
        w -> post(() -> processEnded(w)));
    spec.getRolesList().forEach(r -> roles.put(r.getName(), r));
    this.table = spec.getPartitionedRole().isEmpty() ? null : PartitionTable.restore(
        state.getPartitionsList().stream().map(TableCodec::fromRecord).toList(), state.getOfflineList());
    long delay = spec.getPartitions().getReassignDelayMs();
    int moves = spec.getPartitions().getMaxConcurrentMoves();
    MemberBook.Partitioning partitioning = table == null ? null : new MemberBook.Partitioning(
        spec.getPartitionedRole(), table, delay == 0 ? 30_000 : delay, moves == 0 ? 2 : moves);
    List<Role> roleLimits = spec.getRolesList().stream().map(r -> new Role(r.getName(), r.getPlacement().getMaxPerNode(),
        r.getPlacement().getMaxPerRack())).toList();
    this.book = new MemberBook(spec.getName(), roleLimits, state.getRoleWorkersMap(), partitioning);
  }

  /** The state a new service starts with: its roles' counts and its initial partitions. */
  static ServiceState initialState(ServiceSpec spec, PartitionTable initial) {
    ServiceState.Builder s = ServiceState.newBuilder();
    spec.getRolesList().forEach(r -> s.putRoleWorkers(r.getName(), r.getWorkers()));
    if (!spec.getPartitionedRole().isEmpty()) {
      initial.partitions().forEach(p -> s.addPartitions(TableCodec.toRecord(p)));
    }
    return s.build();
  }

  /**
   * Attaches to Fuxi (publishing {@code endpoint}, where ServiceAdmin
   * listens), claiming the grants a predecessor recorded, and starts
   * watching the workers.
   */
  void start(String endpoint, List<Grant> claimed) {
    if (!claimed.isEmpty()) {
      log.info("service {}: claiming {} grants of the previous service-master", appId, claimed.size());
    }
    post(() -> carryOut(book.claim(claimed, clock.millis())));
    session = new AppMasterSession(client, appId, loop.listener(new FuxiListener())).endpoint(endpoint).holding(claimed);
    session.start();
    workerCache = CuratorCache.build(zk, ServicePaths.workers(appId));
    workerCache.listenable().addListener(CuratorCacheListener.builder()
        .forCreatesAndChanges((before, node) -> workerRecord(node).ifPresent(r -> post(() -> workerUp(r))))
        .forDeletes(node -> workerRecord(node).ifPresent(r -> post(() -> workerDown(r))))
        .forInitialized(() -> post(() -> carryOut(book.workersListed(clock.millis()))))
        .build());
    workerCache.start();
    loop.every(1_000, 1_000, () -> carryOut(book.tick(clock.millis())));
    log.info("service {} ({}) started: roles {}", appId, spec.getName(), book.wanted());
  }

  private Optional<WorkerRecord> workerRecord(ChildData node) {
    if (!node.getPath().startsWith(ServicePaths.workers(appId) + "/")) {
      return Optional.empty();
    }
    try {
      return Optional.of(WorkerRecord.parseFrom(node.getData()));
    } catch (InvalidProtocolBufferException e) {
      log.warn("unreadable worker record {}", node.getPath());
      return Optional.empty();
    }
  }

  /** Blocks until the service ended (0) or this master was fenced out by another (1); returns the exit code. */
  int awaitEnd() throws InterruptedException {
    ended.await();
    return exitCode;
  }

  // ---- the loop -------------------------------------------------------------------------------

  <T> CompletableFuture<T> call(Callable<T> work) {
    return loop.call(work);
  }

  private void post(Runnable r) {
    loop.post(r);
  }

  private void failed(RuntimeException e) {
    if (e instanceof FencedOutException) {
      log.error("service {}: {}; this service-master stops", appId, e.getMessage());
      stop(1);
    } else {
      log.error("service {}: internal error", appId, e);
    }
  }

  /** Stores the state (a change must be stored before any worker hears of it), then does what the book decided. */
  private void carryOut(List<Effect> effects) {
    persist();
    for (Effect e : effects) {
      if (e instanceof Effect.Ask a) {
        ask(a);
      } else if (e instanceof Effect.Launch l) {
        launch(l.grant());
      } else if (e instanceof Effect.ReturnGrant r) {
        log.info("returning grant {} of {} on {}: {}", r.grant().getGrantId(), r.grant().getUnit(),
            r.grant().getNodeId(), r.why());
        session.returnGrants(List.of(r.grant().getGrantId()));
      } else if (e instanceof Effect.ForgetGrant f) {
        forgetGrant(f.grantId());
      } else if (e instanceof Effect.WatchNode w) {
        nodeWatches.watch(w.address());
      } else if (e instanceof Effect.UnwatchNode u) {
        nodeWatches.forget(u.address());
      } else if (e instanceof Effect.CheckWorker c) {
        checkWorker(c.grant(), c.workerId());
      } else if (e instanceof Effect.Drain d) {
        log.info("scaling {} in: worker {} on {} drains", d.grant().getUnit(),
            d.workerId().isEmpty() ? "(starting)" : d.workerId(), d.grant().getNodeId());
      } else if (e instanceof Effect.Tell t) {
        tell(t.action(), t.endpoint());
      }
    }
  }

  // ---- workers --------------------------------------------------------------------------------

  private void workerUp(WorkerRecord r) {
    if (book.held(r.getGrantId()).isEmpty()) {
      log.info("worker {} runs on grant {}, which this service does not hold; its node stops it", r.getWorkerId(),
          r.getGrantId());
    } else {
      log.info("worker {} of {} registered at {} on {}", r.getWorkerId(), r.getRole(), r.getEndpoint(),
          r.getNodeId());
    }
    carryOut(book.workerRegistered(r));
  }

  private void workerDown(WorkerRecord r) {
    carryOut(book.workerLost(r.getWorkerId(), clock.millis()));
  }

  /** A node says a worker process of this application ended (its WatchWorkers stream). */
  private void processEnded(io.feitian.proto.fuxi.v1.WorkerInfo w) {
    String why = w.getState() + (w.getMessage().isEmpty() ? "" : ", " + w.getMessage());
    carryOut(book.processEnded(w.getGrantId(), why, clock.millis()));
  }

  /** A worker lost its session: if its node runs it no more, its partitions need not wait for it. */
  private void checkWorker(Grant grant, String workerId) {
    log.warn("worker {} of {} on {} lost its ZooKeeper session", workerId, grant.getUnit(), grant.getNodeId());
    calls.unary(TaskWorkerServiceGrpc.newStub(channel(grant.getNodeAddress())))
        .listWorkers(ListWorkersRequest.newBuilder().setAppId(appId).build(), new StreamObserver<>() {
          @Override
          public void onNext(ListWorkersResponse r) {
            boolean running = r.getWorkersList().stream().anyMatch(w -> w.getWorkerId().equals(workerId)
                && AppStates.running(w));
            if (!running) {
              post(() -> carryOut(book.processEnded(grant.getGrantId(), "its node runs it no more", clock.millis())));
            }
          }

          @Override
          public void onError(Throwable t) {
            log.info("cannot ask {} about worker {} ({}); waiting for it to come back", grant.getNodeId(), workerId,
                Status.fromThrowable(t).getCode());
          }

          @Override
          public void onCompleted() {}
        });
  }

  private void forgetGrant(long grantId) {
    try {
      store.grants().forget(grantId);
    } catch (Exception e) {
      log.warn("cannot forget grant {}: {} (a restarted master would claim it, find no worker, and return it)",
          grantId, e.toString());
    }
  }

  // ---- Fuxi: demand, grants, launches ---------------------------------------------------------

  private void ask(Effect.Ask a) {
    int priority = spec.getPriority() == 0 ? 100 : spec.getPriority();
    session.request(a.role(), roles.get(a.role()).getResources(), priority, a.node().isEmpty()
        ? LocalityLevel.LOCALITY_LEVEL_CLUSTER : LocalityLevel.LOCALITY_LEVEL_MACHINE, a.node(), a.delta(), false);
  }

  /** Records the grant, then starts a worker on it through the node's task-worker. */
  private void launch(Grant g) {
    try {
      store.grants().record(g);
    } catch (Exception e) {
      log.warn("cannot record grant {}: {}; returning it", g.getGrantId(), e.toString());
      carryOut(book.launchFailed(g.getGrantId(), clock.millis()));
      return;
    }
    RoleSpec r = roles.get(g.getUnit());
    LaunchSpec.Builder launch = LaunchSpec.newBuilder().setName("svc-" + r.getName()).putAllEnv(r.getEnvMap())
        .putAllEnv(workerEnv).putEnv(ServiceWorkerMain.ENV_ROLE, r.getName());
    if (r.hasJava()) {
      launch.setThread(ThreadProgram.newBuilder().setMainClass(ServiceWorkerMain.class.getName())
          .addArgs(r.getJava().getWorkerClass()).addAllArgs(r.getJava().getJarsList())
          .addAllJvmOptions(r.getJava().getJvmOptionsList()));
    } else {
      launch.setProcess(ProcessProgram.newBuilder().addAllArgv(r.getArgvList()));
    }
    calls.unary(TaskWorkerServiceGrpc.newStub(channel(g.getNodeAddress())))
        .launch(LaunchRequest.newBuilder().setAppId(appId).setGrantId(g.getGrantId()).setSpec(launch).build(),
            new StreamObserver<>() {
              @Override
              public void onNext(LaunchResponse resp) {
                log.info("{}: worker {} starting on {}", r.getName(), resp.getWorker().getWorkerId(), g.getNodeId());
              }

              @Override
              public void onError(Throwable t) {
                post(() -> {
                  log.warn("could not start a worker of {} on {}: {}", r.getName(), g.getNodeId(),
                      StatusText.brief(Status.fromThrowable(t)));
                  carryOut(book.launchFailed(g.getGrantId(), clock.millis())); // asked for again at the next tick
                });
              }

              @Override
              public void onCompleted() {}
            });
  }

  /** Fuxi's calls, on the loop. */
  private final class FuxiListener implements AppMasterSession.Listener {
    /** The cluster's usable nodes and racks, for placement limits. */
    @Override
    public void nodes(Map<String, String> usable) {
      book.nodesAre(usable.entrySet().stream().map(n -> new Placement.Node(n.getKey(), n.getValue())).toList());
    }

    @Override
    public void granted(List<Grant> grants) {
      grants.forEach(g -> carryOut(book.granted(g, clock.millis())));
    }

    @Override
    public void revoked(List<Long> grantIds, RevokeReason reason, String detail) {
      for (long id : grantIds) {
        book.held(id).ifPresent(g -> log.warn("grant {} of {} on {} revoked ({}): {}", id, g.getUnit(), g.getNodeId(),
            reason, detail));
        carryOut(book.revoked(id, clock.millis()));
      }
    }

    @Override
    public void superseded(Status status) {
      // The service belongs to the newer master: its state stays as it is.
      log.error("service {}: {}", appId, status.getDescription());
      stop(3);
    }

    @Override
    public void ended(Status status) {
      log.info("service {} ended by fuxi-master: {}", appId, StatusText.brief(status));
      try {
        store.deleteAll();
      } catch (Exception e) {
        log.warn("could not delete the state of {}: {}", appId, e.toString());
      }
      stop(0);
    }
  }

  // ---- partitions ------------------------------------------------------------------------------

  private ServiceState state() {
    ServiceState.Builder s = ServiceState.newBuilder().putAllRoleWorkers(book.wanted());
    if (table != null) {
      table.partitions().forEach(p -> s.addPartitions(TableCodec.toRecord(p)));
      s.addAllOffline(table.offline().stream().sorted().toList());
    }
    return s.build();
  }

  /** Writes the state if it changed. */
  private void persist() {
    store.write(state());
  }

  /** Sends a partition action to its worker; the answer goes back to the book. */
  private void tell(Action a, String endpoint) {
    var stub = ServiceWorkerControlGrpc.newStub(channel(endpoint))
        .withDeadlineAfter(CONTROL_DEADLINE_MS, TimeUnit.MILLISECONDS);
    if (a instanceof Action.Load l) {
      stub.load(LoadRequest.newBuilder().setPartition(l.partition()).setStart(l.range().start())
          .setEnd(l.range().end()).setEpoch(l.epoch()).build(), answer(a));
    } else if (a instanceof Action.Unload u) {
      stub.unload(UnloadRequest.newBuilder().setPartition(u.partition()).setEpoch(u.epoch()).build(), answer(a));
    } else if (a instanceof Action.Split s) {
      stub.split(SplitRequest.newBuilder().setPartition(s.partition()).setAt(s.at()).setLower(s.lower())
          .setUpper(s.upper()).setEpoch(s.epoch()).build(), answer(a));
    }
  }

  private StreamObserver<PartitionReply> answer(Action a) {
    return new StreamObserver<>() {
      @Override
      public void onNext(PartitionReply r) {}

      @Override
      public void onError(Throwable t) {
        post(() -> {
          log.warn("{} failed: {} (retried)", a, StatusText.brief(Status.fromThrowable(t)));
          carryOut(book.moveFailed(a));
        });
      }

      @Override
      public void onCompleted() {
        post(() -> {
          log.info("{} done", a);
          carryOut(book.moveDone(a));
        });
      }
    };
  }

  // ---- ServiceAdmin ---------------------------------------------------------------------------

  ServiceStatus status() {
    ServiceStatus.Builder s = ServiceStatus.newBuilder().setAppId(appId).setName(spec.getName());
    List<MemberBook.Worker> workers = book.workers();
    Map<String, Integer> wanted = book.wanted();
    for (String role : roles.keySet()) {
      long running = workers.stream().filter(w -> w.record().getRole().equals(role) && !w.lost()).count();
      s.addRoles(RoleStatus.newBuilder().setName(role).setWanted(wanted.getOrDefault(role, 0))
          .setRunning((int) running));
    }
    for (MemberBook.Worker w : workers) {
      WorkerRecord r = w.record();
      s.addWorkers(WorkerInfo.newBuilder().setWorkerId(r.getWorkerId()).setRole(r.getRole()).setNodeId(r.getNodeId())
          .setEndpoint(r.getEndpoint()).setLost(w.lost()).setPartitions(w.partitions()));
    }
    if (table != null) {
      table.partitions().stream().sorted(Comparator.comparing((Partition p) -> p.range().start()))
          .forEach(p -> s.addPartitions(TableCodec.toRecord(p)));
    }
    return s.build();
  }

  ServiceStatus scale(String role, int workers) {
    List<Effect> effects = book.scale(role, workers);
    log.info("role {} scaled to {} workers", role, workers);
    carryOut(effects);
    return status();
  }

  ServiceStatus loadPartition(String partition, String worker) {
    carryOut(book.loadPartition(partition, worker));
    return status();
  }

  ServiceStatus unloadPartition(String partition) {
    carryOut(book.unloadPartition(partition));
    return status();
  }

  ServiceStatus splitPartition(String partition, String at) {
    carryOut(book.splitPartition(partition, at));
    return status();
  }

  ServiceStatus migratePartition(String partition, String worker) {
    carryOut(book.migratePartition(partition, worker));
    return status();
  }

  // ---- the end --------------------------------------------------------------------------------

  private void stop(int code) {
    if (finished) {
      return;
    }
    finished = true;
    exitCode = code;
    loop.close(); // nothing more happens here
    ended.countDown();
  }

  private ManagedChannel channel(String address) {
    return client.channel(address);
  }

  @Override
  public void close() {
    nodeWatches.close();
    if (workerCache != null) {
      workerCache.close();
    }
    if (session != null) {
      session.close();
    }
    loop.close();
  }
}
