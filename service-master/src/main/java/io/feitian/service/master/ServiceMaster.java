package io.feitian.service.master;

import io.feitian.client.AppMasterSession;
import io.feitian.client.AppStates;
import io.feitian.client.FeitianClient;
import io.feitian.client.MasterLoop;
import io.feitian.common.grpc.CallSettings;
import io.feitian.common.grpc.Channels;
import io.feitian.common.security.TlsSettings;
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
import io.feitian.service.partition.Action;
import io.feitian.service.partition.Partition;
import io.feitian.service.partition.PartitionState;
import io.feitian.service.partition.PartitionTable;
import io.feitian.service.spec.ServiceSpecValidator;
import io.feitian.service.state.ServicePaths;
import io.feitian.service.state.ServiceStore;
import io.feitian.service.state.TableCodec;
import io.feitian.service.worker.ServiceWorkerMain;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * <p>Workers are known from their ephemeral znodes. A worker whose znode
 * disappears (its ZooKeeper session expired) is lost: its partitions wait
 * the reassignment delay for it to come back with a new session, unless its
 * node says its process has ended, in which case they move at once. A
 * restarted service-master reads the table and its grants from ZooKeeper,
 * claims the grants from Fuxi, and finds the workers still running in them.
 *
 * <p>All state lives on one loop thread; RPC handlers, ZooKeeper and Fuxi
 * callbacks hand work to it.
 */
final class ServiceMaster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServiceMaster.class);
  /** A started worker that has not registered in this long is given up (its grant returned). */
  static final long REGISTER_TIMEOUT_MS = 30_000;
  static final long CONTROL_DEADLINE_MS = 30_000;

  /** A grant held for a role, and the worker in it once it registered. */
  private static final class Member {
    final Grant grant;
    final long since;
    WorkerRecord worker;
    boolean lost;
    boolean draining;

    Member(Grant grant, long since) {
      this.grant = grant;
      this.since = since;
    }

    String role() {
      return grant.getUnit();
    }
  }

  private final String appId;
  private final ServiceSpec spec;
  private final Map<String, RoleSpec> roles = new LinkedHashMap<>();
  private final FeitianClient client;
  private final CallSettings calls;
  private final CuratorFramework zk;
  private final ServiceStore store;
  private final Map<String, String> workerEnv;
  private final Clock clock;
  private final long reassignDelayMs;
  private final int maxMoves;
  private final MasterLoop loop;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final CountDownLatch ended = new CountDownLatch(1);
  private volatile int exitCode;
  private AppMasterSession session;
  private CuratorCache workerCache;
  private final NodeWatches nodeWatches;

  // Loop-confined state.
  private final PartitionTable table;
  private final Map<String, Integer> wanted = new LinkedHashMap<>();
  private final Map<Long, Member> members = new LinkedHashMap<>();
  private final Map<String, Long> grantOfWorker = new HashMap<>();
  /** Per role, workers asked of Fuxi per node ("" for anywhere). */
  private final Map<String, Map<String, Integer>> asked = new HashMap<>();
  /** Partitions with a call to their worker outstanding. */
  private final Set<String> inFlight = new HashSet<>();
  private List<Placement.Node> nodes = List.of();
  private boolean workersKnown;
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
    wanted.putAll(state.getRoleWorkersMap());
    this.table = spec.getPartitionedRole().isEmpty() ? null : PartitionTable.restore(
        state.getPartitionsList().stream().map(TableCodec::fromRecord).toList(), state.getOfflineList());
    long delay = spec.getPartitions().getReassignDelayMs();
    this.reassignDelayMs = delay == 0 ? 30_000 : delay;
    int moves = spec.getPartitions().getMaxConcurrentMoves();
    this.maxMoves = moves == 0 ? 2 : moves;
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
    long now = clock.millis();
    claimed.forEach(g -> {
      members.put(g.getGrantId(), new Member(g, now));
      nodeWatches.watch(g.getNodeAddress());
    });
    if (!claimed.isEmpty()) {
      log.info("service {}: claiming {} grants of the previous service-master", appId, claimed.size());
    }
    session = new AppMasterSession(client, appId, loop.listener(new FuxiListener())).endpoint(endpoint).holding(claimed);
    session.start();
    workerCache = CuratorCache.build(zk, ServicePaths.workers(appId));
    workerCache.listenable().addListener(CuratorCacheListener.builder()
        .forCreatesAndChanges((before, node) -> workerRecord(node).ifPresent(r -> post(() -> workerUp(r))))
        .forDeletes(node -> workerRecord(node).ifPresent(r -> post(() -> workerDown(r.getWorkerId()))))
        .forInitialized(() -> post(this::workersInitialized))
        .build());
    workerCache.start();
    loop.every(1_000, 1_000, this::reconcile);
    if (roles.values().stream().anyMatch(r -> r.getPlacement().getMaxPerNode() > 0
        || r.getPlacement().getMaxPerRack() > 0)) {
      loop.every(0, 10_000, this::learnNodes);
    }
    log.info("service {} ({}) started: roles {}", appId, spec.getName(), wanted);
  }

  private java.util.Optional<WorkerRecord> workerRecord(ChildData node) {
    if (!node.getPath().startsWith(ServicePaths.workers(appId) + "/")) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(WorkerRecord.parseFrom(node.getData()));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      log.warn("unreadable worker record {}", node.getPath());
      return java.util.Optional.empty();
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

  /** Periodic: lost workers expire, stuck partition moves are retried, roles get their workers. */
  private void reconcile() {
    long now = clock.millis();
    if (table != null) {
      for (String w : table.expire(now, reassignDelayMs)) {
        log.warn("worker {} was lost for {} ms: its partitions are reassigned", w, reassignDelayMs);
        Member m = memberOf(w);
        if (m != null) {
          returnGrant(m, "lost for longer than the reassignment delay");
        }
      }
      retryStuckMoves();
    }
    for (Member m : List.copyOf(members.values())) {
      if (m.worker == null && now - m.since > REGISTER_TIMEOUT_MS) {
        log.warn("worker of {} on grant {} ({}) did not register within {} ms", m.role(), m.grant.getGrantId(),
            m.grant.getNodeId(), REGISTER_TIMEOUT_MS);
        returnGrant(m, "did not register");
      } else if (m.draining && (table == null || m.worker == null || table.load(m.worker.getWorkerId()) == 0)) {
        returnGrant(m, "scaled in");
      }
    }
    rebalance();
    roles.keySet().forEach(this::adjustDemand);
    persist();
  }

  // ---- workers --------------------------------------------------------------------------------

  private void workersInitialized() {
    workersKnown = true;
    if (table != null) {
      Set<String> live = new HashSet<>(grantOfWorker.keySet());
      for (Partition p : table.partitions()) {
        if (p.owned() && !live.contains(p.owner())) {
          log.info("partition {} is owned by {}, which is not registered: lost", p.id(), p.owner());
          table.workerLost(p.owner(), clock.millis());
        }
      }
    }
    reconcile();
  }

  private void workerUp(WorkerRecord r) {
    Member m = members.get(r.getGrantId());
    if (m == null || !m.role().equals(r.getRole())) {
      log.info("worker {} runs on grant {}, which this service does not hold; its node stops it", r.getWorkerId(),
          r.getGrantId());
      return;
    }
    boolean back = m.lost;
    m.worker = r;
    m.lost = false;
    grantOfWorker.put(r.getWorkerId(), r.getGrantId());
    if (table != null && isPartitioned(m)) {
      table.workerBack(r.getWorkerId());
    }
    log.info("worker {} of {} {} at {} on {}", r.getWorkerId(), r.getRole(), back ? "is back" : "registered",
        r.getEndpoint(), r.getNodeId());
    rebalance();
  }

  /**
   * A worker's session ended. It stops serving by itself; if its node says
   * its process has ended, its partitions move at once, otherwise they wait
   * the reassignment delay for it to come back.
   */
  private void workerDown(String workerId) {
    Member m = memberOf(workerId);
    if (m == null) {
      return;
    }
    m.lost = true;
    log.warn("worker {} of {} on {} lost its ZooKeeper session", workerId, m.role(), m.grant.getNodeId());
    if (table != null && isPartitioned(m)) {
      table.workerLost(workerId, clock.millis());
    }
    calls.unary(TaskWorkerServiceGrpc.newStub(channel(m.grant.getNodeAddress())))
        .listWorkers(ListWorkersRequest.newBuilder().setAppId(appId).build(), new StreamObserver<>() {
          @Override
          public void onNext(ListWorkersResponse r) {
            boolean running = r.getWorkersList().stream().anyMatch(w -> w.getWorkerId().equals(workerId)
                && AppStates.running(w));
            if (!running) {
              post(() -> {
                if (members.get(m.grant.getGrantId()) == m) {
                  workerEnded(m, "its node runs it no more");
                }
              });
            }
          }

          @Override
          public void onError(Throwable t) {
            log.info("cannot ask {} about worker {} ({}); waiting for it to come back", m.grant.getNodeId(), workerId,
                Status.fromThrowable(t).getCode());
          }

          @Override
          public void onCompleted() {}
        });
  }

  /**
   * A node says a worker process of this application ended (its WatchWorkers
   * stream). If it is one of ours, it can serve nothing any more.
   */
  private void processEnded(io.feitian.proto.fuxi.v1.WorkerInfo w) {
    Member m = members.get(w.getGrantId());
    if (m != null) { // else a grant already returned (or the service-master's own)
      workerEnded(m, w.getState() + (w.getMessage().isEmpty() ? "" : ", " + w.getMessage()));
    }
  }

  /** A worker's process has ended: it cannot come back, so its partitions move now and it is replaced. */
  private void workerEnded(Member m, String why) {
    log.warn("worker {} of {} on {} ended ({}): its partitions move now",
        m.worker == null ? "(unregistered)" : m.worker.getWorkerId(), m.role(), m.grant.getNodeId(), why);
    if (m.worker != null && table != null && isPartitioned(m)) {
      table.workerGone(m.worker.getWorkerId());
    }
    returnGrant(m, "worker ended");
    rebalance();
  }

  private boolean isPartitioned(Member m) {
    return m.role().equals(spec.getPartitionedRole());
  }

  private Member memberOf(String workerId) {
    Long grant = grantOfWorker.get(workerId);
    return grant == null ? null : members.get(grant);
  }

  private List<String> partitionWorkers() {
    return members.values().stream().filter(m -> isPartitioned(m) && m.worker != null && !m.lost && !m.draining)
        .map(m -> m.worker.getWorkerId()).sorted().toList();
  }

  private void returnGrant(Member m, String why) {
    members.remove(m.grant.getGrantId());
    if (m.worker != null) {
      grantOfWorker.remove(m.worker.getWorkerId());
      if (table != null && isPartitioned(m) && table.load(m.worker.getWorkerId()) > 0) {
        // Whatever it still owns waits out the delay (its process is stopped with the grant).
        table.workerLost(m.worker.getWorkerId(), clock.millis());
      }
    }
    log.info("returning grant {} of {} on {}: {}", m.grant.getGrantId(), m.role(), m.grant.getNodeId(), why);
    session.returnGrants(List.of(m.grant.getGrantId()));
    forgetGrant(m.grant.getGrantId());
    forgetNodeIfUnused(m.grant.getNodeAddress());
  }

  private void forgetGrant(long grantId) {
    try {
      store.grants().forget(grantId);
    } catch (Exception e) {
      log.warn("cannot forget grant {}: {} (a restarted master would claim it, find no worker, and return it)",
          grantId, e.toString());
    }
  }

  private void forgetNodeIfUnused(String address) {
    if (members.values().stream().noneMatch(m -> m.grant.getNodeAddress().equals(address))) {
      nodeWatches.forget(address);
    }
  }

  // ---- Fuxi: demand, grants, launches ---------------------------------------------------------

  private int holding(String role) {
    return (int) members.values().stream().filter(m -> m.role().equals(role) && !m.draining).count();
  }

  private Map<String, Integer> perNode(String role) {
    Map<String, Integer> perNode = new HashMap<>();
    members.values().stream().filter(m -> m.role().equals(role) && !m.draining)
        .forEach(m -> perNode.merge(m.grant.getNodeId(), 1, Integer::sum));
    asked.getOrDefault(role, Map.of()).forEach((node, n) -> {
      if (!node.isEmpty()) {
        perNode.merge(node, n, Integer::sum);
      }
    });
    return perNode;
  }

  /** Asks for the workers a role lacks, withdraws asks it no longer needs, and drains workers it has too many of. */
  private void adjustDemand(String role) {
    if (finished) {
      return;
    }
    RoleSpec r = roles.get(role);
    Map<String, Integer> roleAsks = asked.computeIfAbsent(role, k -> new HashMap<>());
    int askedN = roleAsks.values().stream().mapToInt(Integer::intValue).sum();
    int missing = wanted.getOrDefault(role, 0) - holding(role) - askedN;
    if (missing > 0) {
      int maxNode = r.getPlacement().getMaxPerNode();
      int maxRack = r.getPlacement().getMaxPerRack();
      if (maxNode == 0 && maxRack == 0) {
        ask(role, "", missing);
      } else {
        for (String node : Placement.targets(nodes, perNode(role), maxNode, maxRack, missing)) {
          ask(role, node, 1);
        }
      }
    } else if (missing < 0) {
      int excess = -missing;
      for (String target : List.copyOf(roleAsks.keySet())) {
        int n = Math.min(excess, roleAsks.get(target));
        ask(role, target, -n);
        excess -= n;
      }
      drain(role, excess);
    }
  }

  private void ask(String role, String target, int delta) {
    if (delta == 0) {
      return;
    }
    Map<String, Integer> roleAsks = asked.computeIfAbsent(role, k -> new HashMap<>());
    roleAsks.merge(target, delta, Integer::sum);
    if (roleAsks.get(target) <= 0) {
      roleAsks.remove(target);
    }
    RoleSpec r = roles.get(role);
    int priority = spec.getPriority() == 0 ? 100 : spec.getPriority();
    session.request(role, r.getResources(), priority, target.isEmpty() ? LocalityLevel.LOCALITY_LEVEL_CLUSTER
        : LocalityLevel.LOCALITY_LEVEL_MACHINE, target, delta, false);
  }

  /** Scales a role in: workers not started yet go first, then those owning the fewest partitions. */
  private void drain(String role, int count) {
    List<Member> candidates = members.values().stream().filter(m -> m.role().equals(role) && !m.draining)
        .sorted(Comparator.comparingInt((Member m) -> m.worker == null ? -1
            : table == null ? 0 : table.load(m.worker.getWorkerId()))).toList();
    for (Member m : candidates.subList(0, Math.min(count, candidates.size()))) {
      m.draining = true;
      log.info("scaling {} in: worker {} on {} drains", role, m.worker == null ? "(starting)" : m.worker.getWorkerId(),
          m.grant.getNodeId());
    }
  }

  private void onGranted(List<Grant> grants) {
    for (Grant g : grants) {
      String role = g.getUnit();
      Map<String, Integer> roleAsks = asked.getOrDefault(role, new HashMap<>());
      String target = g.getRequestedLevel() == LocalityLevel.LOCALITY_LEVEL_MACHINE ? g.getRequestedTarget() : "";
      if (roleAsks.containsKey(target)) {
        roleAsks.merge(target, -1, Integer::sum);
        roleAsks.remove(target, 0);
      }
      RoleSpec r = roles.get(role);
      if (finished || r == null || holding(role) >= wanted.getOrDefault(role, 0) || !fits(r, g)) {
        session.returnGrants(List.of(g.getGrantId()));
        continue;
      }
      Member m = new Member(g, clock.millis());
      try {
        store.grants().record(g);
      } catch (Exception e) {
        log.warn("cannot record grant {}: {}; returning it", g.getGrantId(), e.toString());
        session.returnGrants(List.of(g.getGrantId()));
        continue;
      }
      members.put(g.getGrantId(), m);
      nodeWatches.watch(g.getNodeAddress());
      launch(r, m);
    }
  }

  private boolean fits(RoleSpec r, Grant g) {
    int maxNode = r.getPlacement().getMaxPerNode();
    int maxRack = r.getPlacement().getMaxPerRack();
    if (maxNode == 0 && maxRack == 0) {
      return true;
    }
    Map<String, Integer> perNode = new HashMap<>();
    members.values().stream().filter(m -> m.role().equals(r.getName()) && !m.draining)
        .forEach(m -> perNode.merge(m.grant.getNodeId(), 1, Integer::sum));
    String rack = nodes.stream().filter(n -> n.id().equals(g.getNodeId())).map(Placement.Node::rack).findFirst()
        .orElse("");
    return Placement.fits(new Placement.Node(g.getNodeId(), rack), nodes, perNode, maxNode, maxRack);
  }

  /** Starts a worker on a grant, through the node's task-worker. */
  private void launch(RoleSpec r, Member m) {
    LaunchSpec.Builder launch = LaunchSpec.newBuilder().setName("svc-" + r.getName()).putAllEnv(r.getEnvMap())
        .putAllEnv(workerEnv).putEnv(ServiceWorkerMain.ENV_ROLE, r.getName());
    if (r.hasJava()) {
      launch.setThread(ThreadProgram.newBuilder().setMainClass(ServiceWorkerMain.class.getName())
          .addArgs(r.getJava().getWorkerClass()).addAllArgs(r.getJava().getJarsList())
          .addAllJvmOptions(r.getJava().getJvmOptionsList()));
    } else {
      launch.setProcess(ProcessProgram.newBuilder().addAllArgv(r.getArgvList()));
    }
    Grant g = m.grant;
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
                  log.warn("could not start a worker of {} on {}: {}", r.getName(), g.getNodeId(), Status.fromThrowable(t));
                  if (members.get(g.getGrantId()) == m) {
                    returnGrant(m, "launch failed"); // asked for again at the next reconcile
                  }
                });
              }

              @Override
              public void onCompleted() {}
            });
  }

  private void onRevoked(List<Long> grantIds, RevokeReason reason, String detail) {
    for (long id : grantIds) {
      Member m = members.remove(id);
      if (m == null) {
        continue;
      }
      forgetGrant(id);
      if (m.worker != null) {
        grantOfWorker.remove(m.worker.getWorkerId());
        if (table != null && isPartitioned(m)) {
          table.workerLost(m.worker.getWorkerId(), clock.millis());
        }
      }
      log.warn("grant {} of {} on {} revoked ({}): {}", id, m.role(), m.grant.getNodeId(), reason, detail);
      forgetNodeIfUnused(m.grant.getNodeAddress());
    }
  }

  /** The cluster's live nodes and racks, for placement limits. Read off the loop. */
  private void learnNodes() {
    client.aliveNodes()
        .thenAccept(alive -> post(() -> nodes = alive.stream().filter(n -> !n.getBlacklisted())
            .map(n -> new Placement.Node(n.getNodeId(), n.getRack())).toList()))
        .exceptionally(e -> {
          log.debug("cluster nodes unknown: {}", e.toString());
          return null;
        });
  }

  /** Fuxi's calls, on the loop. */
  private final class FuxiListener implements AppMasterSession.Listener {
    @Override
    public void granted(List<Grant> grants) {
      onGranted(grants);
    }

    @Override
    public void revoked(List<Long> grantIds, RevokeReason reason, String detail) {
      onRevoked(grantIds, reason, detail);
    }

    @Override
    public void ended(Status status) {
      log.info("service {} ended by fuxi-master: {}", appId, status);
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
    ServiceState.Builder s = ServiceState.newBuilder().putAllRoleWorkers(wanted);
    if (table != null) {
      table.partitions().forEach(p -> s.addPartitions(TableCodec.toRecord(p)));
      s.addAllOffline(table.offline().stream().sorted().toList());
    }
    return s.build();
  }

  /** Writes the state if it changed; a change must be stored before any worker hears of it. */
  private void persist() {
    store.write(state());
  }

  private void rebalance() {
    if (table != null && workersKnown && !finished) {
      send(table.rebalance(partitionWorkers(), maxMoves));
    }
  }

  /** Stores the table, then tells the workers. */
  private void send(List<Action> actions) {
    persist();
    actions.forEach(this::dispatch);
  }

  /** Partitions moving whose worker did not answer (or a new master took over) are told again. */
  private void retryStuckMoves() {
    for (Partition p : table.partitions()) {
      if (inFlight.contains(p.id())) {
        continue;
      }
      switch (p.state()) {
        case LOADING -> dispatch(new Action.Load(p.owner(), p.id(), p.range(), p.epoch()));
        case UNLOADING -> dispatch(new Action.Unload(p.owner(), p.id(), p.epoch()));
        case SPLITTING -> dispatch(new Action.Split(p.owner(), p.id(), p.next(), p.id() + "a", p.id() + "b",
            p.epoch() + 1));
        default -> { }
      }
    }
  }

  private void dispatch(Action a) {
    String partition = a.partition();
    Member m = memberOf(a.worker());
    if (m == null || m.worker == null || m.lost || !inFlight.add(partition)) {
      return; // a lost worker's partitions move once it expires; a call in flight is answered first
    }
    var stub = ServiceWorkerControlGrpc.newStub(channel(m.worker.getEndpoint()))
        .withDeadlineAfter(CONTROL_DEADLINE_MS, TimeUnit.MILLISECONDS);
    if (a instanceof Action.Load l) {
      stub.load(LoadRequest.newBuilder().setPartition(l.partition()).setStart(l.range().start())
          .setEnd(l.range().end()).setEpoch(l.epoch()).build(), confirm(a, () -> {
            table.loaded(l.partition(), l.worker(), l.epoch());
            return List.of();
          }));
    } else if (a instanceof Action.Unload u) {
      stub.unload(UnloadRequest.newBuilder().setPartition(u.partition()).setEpoch(u.epoch()).build(),
          confirm(a, () -> table.unloaded(u.partition(), u.worker(), u.epoch())));
    } else if (a instanceof Action.Split s) {
      stub.split(SplitRequest.newBuilder().setPartition(s.partition()).setAt(s.at()).setLower(s.lower())
          .setUpper(s.upper()).setEpoch(s.epoch()).build(),
          confirm(a, () -> table.split(s.partition(), s.worker(), s.epoch())));
    }
  }

  /** Once the worker answers, the table takes the confirmation, and what follows from it is sent. */
  private StreamObserver<PartitionReply> confirm(Action a, java.util.function.Supplier<List<Action>> confirmation) {
    String partition = a.partition();
    return new StreamObserver<>() {
      @Override
      public void onNext(PartitionReply r) {}

      @Override
      public void onError(Throwable t) {
        post(() -> {
          inFlight.remove(partition);
          log.warn("{} failed: {} (retried)", a, Status.fromThrowable(t));
        });
      }

      @Override
      public void onCompleted() {
        post(() -> {
          inFlight.remove(partition);
          List<Action> next = confirmation.get();
          log.info("{} done", a);
          send(next);
          rebalance();
        });
      }
    };
  }

  // ---- ServiceAdmin ---------------------------------------------------------------------------

  ServiceStatus status() {
    ServiceStatus.Builder s = ServiceStatus.newBuilder().setAppId(appId).setName(spec.getName());
    for (String role : roles.keySet()) {
      long running = members.values().stream().filter(m -> m.role().equals(role) && m.worker != null && !m.lost).count();
      s.addRoles(RoleStatus.newBuilder().setName(role).setWanted(wanted.getOrDefault(role, 0))
          .setRunning((int) running));
    }
    for (Member m : members.values()) {
      if (m.worker != null) {
        s.addWorkers(WorkerInfo.newBuilder().setWorkerId(m.worker.getWorkerId()).setRole(m.role())
            .setNodeId(m.worker.getNodeId()).setEndpoint(m.worker.getEndpoint()).setLost(m.lost)
            .setPartitions(table == null || !isPartitioned(m) ? 0 : table.load(m.worker.getWorkerId())));
      }
    }
    if (table != null) {
      table.partitions().stream().sorted(Comparator.comparing((Partition p) -> p.range().start()))
          .forEach(p -> s.addPartitions(TableCodec.toRecord(p)));
    }
    return s.build();
  }

  ServiceStatus scale(String role, int workers) {
    if (!roles.containsKey(role)) {
      throw new IllegalArgumentException("role '" + role + "' is not a role of " + spec.getName() + " " + roles.keySet());
    }
    int min = role.equals(spec.getPartitionedRole()) ? 1 : 0;
    if (workers < min || workers > ServiceSpecValidator.MAX_WORKERS) {
      throw new IllegalArgumentException("workers must be between " + min + " and " + ServiceSpecValidator.MAX_WORKERS
          + " for role " + role + ", got " + workers);
    }
    wanted.put(role, workers);
    persist();
    log.info("role {} scaled to {} workers", role, workers);
    adjustDemand(role);
    rebalance();
    return status();
  }

  private PartitionTable partitioned() {
    if (table == null) {
      throw new IllegalArgumentException("service " + spec.getName() + " has no partitions");
    }
    return table;
  }

  private String liveWorker(String worker) {
    if (!partitionWorkers().contains(worker)) {
      throw new IllegalArgumentException("'" + worker + "' is not a live worker of role " + spec.getPartitionedRole()
          + " " + partitionWorkers());
    }
    return worker;
  }

  ServiceStatus loadPartition(String partition, String worker) {
    PartitionTable t = partitioned();
    String to = worker.isEmpty() ? partitionWorkers().stream().min(Comparator.comparingInt(t::load))
        .orElseThrow(() -> new IllegalStateException("no live worker to load it")) : liveWorker(worker);
    send(t.load(partition, to));
    return status();
  }

  ServiceStatus unloadPartition(String partition) {
    send(partitioned().unload(partition));
    return status();
  }

  ServiceStatus splitPartition(String partition, String at) {
    send(partitioned().split(partition, at));
    return status();
  }

  ServiceStatus migratePartition(String partition, String worker) {
    PartitionTable t = partitioned();
    send(t.migrate(partition, liveWorker(worker)));
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
    return channels.computeIfAbsent(address, a -> Channels.open(a, TlsSettings.DISABLED));
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
    channels.values().forEach(Channels::close);
  }
}
