package io.feitian.fuxi.master.term;

import io.feitian.common.resource.ResourceProtos;
import io.feitian.common.resource.ResourceVector;
import io.feitian.fuxi.master.MasterSettings;
import io.feitian.fuxi.master.membership.BadNodeReports;
import io.feitian.fuxi.master.membership.NodeLiveness;
import io.feitian.fuxi.master.recovery.GrantRecovery;
import io.feitian.fuxi.master.scheduler.DemandStatus;
import io.feitian.fuxi.master.scheduler.Grant;
import io.feitian.fuxi.master.scheduler.Outcome;
import io.feitian.fuxi.master.scheduler.LocalityLevel;
import io.feitian.fuxi.master.scheduler.Scheduler;
import io.feitian.fuxi.master.state.EndedApps;
import io.feitian.fuxi.master.state.HardState;
import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.AppState;
import io.feitian.proto.fuxi.v1.BlacklistEntry;
import io.feitian.proto.fuxi.v1.DrainEntry;
import io.feitian.proto.fuxi.v1.GrantsRevoked;
import io.feitian.proto.fuxi.v1.NodeDirective;
import io.feitian.proto.fuxi.v1.QuotaGroup;
import io.feitian.proto.fuxi.v1.RevokeReason;
import io.feitian.proto.fuxi.v1.SchedulingEvent;
import io.feitian.proto.fuxi.v1.GrantsIssued;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one leader term holds: the scheduler and the soft state around
 * it (registered nodes, attached application masters, child masters), built
 * from hard state at election and from nodes and masters re-registering.
 *
 * <p>All state is confined to one loop thread; RPC handlers hand work to it
 * with {@link #call}. A deposed leader closes its term, which ends every
 * stream so nodes and masters go find the new leader.
 */
public final class LeaderTerm implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaderTerm.class);

  final long epoch;
  final MasterSettings settings;
  final HardState hard;
  final Clock clock;
  final Scheduler scheduler;
  final NodeLiveness liveness;
  /** Applications' reports of bad machines (soft state: a new leader starts counting afresh). */
  final BadNodeReports badNodes;
  final long startedAtMillis;
  final Map<String, NodeSession> nodes = new TreeMap<>();
  /** Nodes declared lost in this term, with when they were last heard. */
  final Map<String, Long> lostNodes = new TreeMap<>();
  /** Who holds what, as nodes report and masters claim it after the election. */
  final GrantRecovery recovery;
  final Map<String, AppRuntime> apps = new LinkedHashMap<>();
  /** The usable nodes as attached application masters know them. */
  private final NodeFeed nodeFeed = new NodeFeed();
  final Map<String, QuotaGroup> quotas = new TreeMap<>();
  final Map<String, BlacklistEntry> blacklist = new TreeMap<>();
  /** Nodes an operator drains (DrainNode), known or not. */
  final Map<String, DrainEntry> draining = new TreeMap<>();
  private final ScheduledExecutorService loop;
  final Nodes nodeOps;
  final Apps appOps;
  final ChildMasters childMasters;
  final Admin admin;
  final TaskWorkerClients taskWorkers;
  final AppKinds kinds;
  private volatile boolean closed;
  /** Grants issued by scheduler calls of the current loop task, not yet delivered. */
  private final List<Grant> issued = new ArrayList<>();
  private long grantsIssued;

  public LeaderTerm(long epoch, MasterSettings settings, HardState hard, Clock clock, TaskWorkerClients workers,
      ChildMasterEnvironment childEnv, AppKinds kinds) {
    this.epoch = epoch;
    this.settings = settings;
    this.hard = hard;
    this.clock = clock;
    // Grant ids carry the epoch in their high bits: unique across terms.
    this.scheduler = new Scheduler(epoch << 40);
    this.liveness = new NodeLiveness(settings.nodeTimeout().toMillis());
    this.badNodes = new BadNodeReports(settings.badNodeReports(), settings.badNodeWindow().toMillis());
    this.startedAtMillis = clock.millis();
    this.recovery = new GrantRecovery(scheduler, startedAtMillis, settings.recoveryWindow().toMillis(),
        settings.nodeTimeout().toMillis());
    this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "fuxi-term-" + epoch);
      t.setDaemon(true);
      return t;
    });
    this.nodeOps = new Nodes(this);
    this.appOps = new Apps(this);
    this.taskWorkers = workers;
    this.kinds = kinds;
    this.childMasters = new ChildMasters(this, workers, childEnv);
    this.admin = new Admin(this);
  }

  /** Loads hard state into the scheduler and starts the periodic work. */
  public void start(List<QuotaGroup> storedQuotas, List<BlacklistEntry> storedBlacklist, List<DrainEntry> storedDrains,
      List<AppInfo> storedApps) throws Exception {
    call(() -> {
      for (QuotaGroup q : storedQuotas) {
        admin.installQuota(q);
      }
      for (BlacklistEntry b : storedBlacklist) {
        blacklist.put(b.getNodeId(), b);
        scheduler.blacklist(b.getNodeId());
      }
      // Before any node re-registers: a draining node comes back draining, and gets nothing new meanwhile.
      for (DrainEntry d : storedDrains) {
        draining.put(d.getNodeId(), d);
        scheduler.drain(d.getNodeId());
      }
      for (AppInfo app : storedApps) {
        AppRuntime rt = new AppRuntime(app);
        apps.put(app.getAppId(), rt);
        if (rt.active()) {
          if (!quotas.containsKey(groupOf(app)) && !groupOf(app).equals(Admin.DEFAULT_GROUP)) {
            log.warn("application {} names missing quota group {}; using default", app.getAppId(), groupOf(app));
            scheduler.addApp(app.getAppId(), Admin.DEFAULT_GROUP);
          } else {
            scheduler.addApp(app.getAppId(), groupOf(app));
          }
        }
      }
      return null;
    }).get(30, TimeUnit.SECONDS);
    long tick = Math.max(50, settings.heartbeatInterval().toMillis() / 2);
    loop.scheduleWithFixedDelay(guard(nodeOps::expireSilentNodes), tick, tick, TimeUnit.MILLISECONDS);
    loop.scheduleWithFixedDelay(guard(childMasters::tick), 200, 200, TimeUnit.MILLISECONDS);
    long preempt = settings.preemptionInterval().toMillis();
    loop.scheduleWithFixedDelay(guard(admin::preempt), preempt, preempt, TimeUnit.MILLISECONDS);
    loop.scheduleWithFixedDelay(guard(this::forgetEndedApps), 0, 60, TimeUnit.SECONDS);
    log.info("term {} started: {} applications, {} quota groups, {} blacklisted nodes, {} draining", epoch,
        apps.values().stream().filter(AppRuntime::active).count(), quotas.size(), blacklist.size(), draining.size());
  }

  /** Ended applications past fuxi.master.ended-apps (retention, or beyond the count kept) are forgotten. */
  void forgetEndedApps() {
    List<AppInfo> ended = apps.values().stream().filter(a -> !a.active()).map(a -> a.info).toList();
    List<String> forget = EndedApps.toForget(ended, now(), settings.endedAppsKept(), settings.endedAppRetention());
    for (String id : forget) {
      hard.deleteApp(id);
      apps.remove(id);
    }
    if (!forget.isEmpty()) {
      log.info("forgot {} ended applications (fuxi.master.ended-apps: keep {}, retention {})", forget.size(),
          settings.endedAppsKept(), settings.endedAppRetention());
    }
  }

  static String groupOf(AppInfo app) {
    String g = app.getSpec().getQuotaGroup();
    return g.isEmpty() ? Admin.DEFAULT_GROUP : g;
  }

  private Runnable guard(Runnable r) {
    return () -> {
      try {
        r.run();
      } catch (RuntimeException e) {
        log.error("term {}: periodic task failed", epoch, e);
      }
    };
  }

  /** Runs work on the loop thread; its exceptions complete the future. */
  public <T> CompletableFuture<T> call(Callable<T> work) {
    CompletableFuture<T> f = new CompletableFuture<>();
    if (closed) {
      f.completeExceptionally(new TermClosedException(epoch));
      return f;
    }
    try {
      loop.execute(() -> {
        if (closed) {
          f.completeExceptionally(new TermClosedException(epoch));
          return;
        }
        try {
          f.complete(work.call());
        } catch (Throwable t) {
          f.completeExceptionally(t);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      f.completeExceptionally(new TermClosedException(epoch));
    }
    return f;
  }

  /** Fire-and-forget work on the loop (callbacks of asynchronous calls). */
  void post(Runnable r) {
    if (!closed) {
      try {
        loop.execute(guard(r));
      } catch (java.util.concurrent.RejectedExecutionException ignored) {
        // term closed
      }
    }
  }

  void postDelayed(Runnable r, long millis) {
    if (!closed) {
      try {
        loop.schedule(guard(r), millis, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException ignored) {
        // term closed
      }
    }
  }

  public long epoch() {
    return epoch;
  }

  public Nodes nodes() {
    return nodeOps;
  }

  public Apps apps() {
    return appOps;
  }

  public Admin admin() {
    return admin;
  }

  /** Grants delivered in this term. */
  long grantsIssued() {
    return grantsIssued;
  }

  /** Keeps the grants a scheduler call issued, for {@link #deliverIssued}. */
  Outcome note(Outcome outcome) {
    note(outcome.granted());
    return outcome;
  }

  /** Keeps grants the books issued, for {@link #deliverIssued}. */
  void note(List<Grant> granted) {
    issued.addAll(granted);
  }

  /** Delivers every grant issued since the last delivery. */
  void deliverIssued() {
    if (issued.isEmpty()) {
      return;
    }
    List<Grant> batch = new ArrayList<>(issued);
    issued.clear();
    grantsIssued += batch.size();
    deliver(batch);
  }

  /** Withdraws all demand of an application (its master re-states it on attach). */
  void clearDemand(String appId) {
    for (DemandStatus d : scheduler.demandOf(appId)) {
      if (d.outstanding() > 0) {
        note(scheduler.request(appId, d.unit(), d.shape(), d.priority(), d.level(), d.target(),
            (int) -Math.min(Integer.MAX_VALUE, d.outstanding()), d.relaxLocality()));
      }
    }
  }

  Grant grant(long grantId) {
    return scheduler.grant(grantId).orElse(null);
  }

  long now() {
    return clock.millis();
  }

  boolean inRecovery() {
    return recovery.inRecovery(now());
  }

  /** See {@link GrantRecovery#unseenNodesMayReturn}. */
  boolean unseenNodesMayReturn() {
    return recovery.unseenNodesMayReturn(now());
  }

  String addressOf(String nodeId) {
    NodeSession n = nodes.get(nodeId);
    return n == null ? "" : n.address;
  }

  // ---- delivering scheduler decisions -------------------------------------------------------

  /** Tells nodes and applications about newly issued grants. */
  void deliver(Collection<Grant> issued) {
    if (issued.isEmpty()) {
      return;
    }
    Map<String, List<io.feitian.proto.fuxi.v1.Grant>> byNode = new HashMap<>();
    Map<String, List<io.feitian.proto.fuxi.v1.Grant>> byApp = new HashMap<>();
    for (Grant g : issued) {
      io.feitian.proto.fuxi.v1.Grant p = Conversions.toProto(g, addressOf(g.nodeId()));
      byNode.computeIfAbsent(g.nodeId(), k -> new ArrayList<>()).add(p);
      if (GrantRecovery.isMasterGrant(g)) {
        childMasters.onMasterGrant(g);
      } else {
        byApp.computeIfAbsent(g.appId(), k -> new ArrayList<>()).add(p);
      }
    }
    byNode.forEach((node, grants) -> {
      NodeSession n = nodes.get(node);
      if (n != null) {
        n.send(NodeDirective.newBuilder().setEpoch(epoch).addAllGranted(grants).build());
      }
    });
    byApp.forEach((app, grants) -> {
      AppRuntime a = apps.get(app);
      if (a != null) {
        grants.forEach(g -> a.nodesUsed.add(g.getNodeId()));
        a.send(SchedulingEvent.newBuilder().setEpoch(epoch)
            .setGranted(GrantsIssued.newBuilder().addAllGrants(grants)).build());
      }
    });
  }

  /**
   * Tells nodes to kill the workers of grants that are gone, and (unless the
   * application gave them back itself) tells their applications.
   */
  void taken(Collection<Grant> gone, RevokeReason reason, String detail, boolean tellApps) {
    if (gone.isEmpty()) {
      return;
    }
    Map<String, List<Long>> byNode = new HashMap<>();
    Map<String, List<Long>> byApp = new HashMap<>();
    for (Grant g : gone) {
      byNode.computeIfAbsent(g.nodeId(), k -> new ArrayList<>()).add(g.grantId());
      if (GrantRecovery.isMasterGrant(g)) {
        childMasters.onMasterGrantGone(g, detail);
      } else {
        byApp.computeIfAbsent(g.appId(), k -> new ArrayList<>()).add(g.grantId());
      }
    }
    byNode.forEach((node, ids) -> {
      NodeSession n = nodes.get(node);
      if (n != null) {
        n.send(NodeDirective.newBuilder().setEpoch(epoch).addAllRevokedGrantIds(ids).setReason(detail).build());
      }
    });
    if (tellApps) {
      byApp.forEach((app, ids) -> {
        AppRuntime a = apps.get(app);
        if (a != null) {
          a.send(SchedulingEvent.newBuilder().setEpoch(epoch).setRevoked(GrantsRevoked.newBuilder()
              .addAllGrantIds(ids).setReason(reason).setDetail(detail)).build());
        }
      });
    }
  }

  /**
   * Tells the attached application masters how the usable nodes (alive,
   * neither blacklisted nor draining) changed, if they did: called wherever
   * a node joins, is lost, is blacklisted or drained, or is released.
   */
  void publishNodes() {
    Map<String, String> usable = new TreeMap<>();
    nodes.forEach((id, session) -> {
      if (!blacklist.containsKey(id) && !draining.containsKey(id)) {
        usable.put(id, session.rack);
      }
    });
    nodeFeed.changeTo(usable).ifPresent(change -> {
      SchedulingEvent event = SchedulingEvent.newBuilder().setEpoch(epoch).setNodes(change).build();
      apps.values().forEach(a -> a.send(event));
    });
  }

  /** Gives an application master that just attached the whole set of usable nodes. */
  void sendNodesTo(AppRuntime app) {
    publishNodes();
    app.send(SchedulingEvent.newBuilder().setEpoch(epoch).setNodes(nodeFeed.snapshot()).build());
  }

  /** Ends an application: records its final state, frees its grants, ends its streams. */
  void finishApp(AppRuntime app, AppState state, String message) {
    if (!app.active()) {
      return;
    }
    app.info = app.info.toBuilder().setState(state).setMessage(message).setEndedAtMs(now()).build();
    hard.putApp(app.info);
    List<Grant> freed = note(scheduler.removeApp(app.id())).released();
    taken(freed, RevokeReason.REVOKE_REASON_ADMIN, "application " + app.id() + " ended: " + state, false);
    freed.forEach(g -> app.nodesUsed.add(g.nodeId()));
    for (String nodeId : app.nodesUsed) {
      NodeSession n = nodes.get(nodeId);
      if (n != null) {
        n.send(NodeDirective.newBuilder().setEpoch(epoch).addEndedAppIds(app.id()).build());
      }
    }
    app.nodesUsed.clear();
    recovery.appEnded(app.id());
    childMasters.forget(app);
    if (app.stream != null) {
      try {
        app.stream.onError(io.grpc.Status.NOT_FOUND
            .withDescription("application " + app.id() + " ended: " + state + (message.isEmpty() ? "" : " (" + message + ")"))
            .asRuntimeException());
      } catch (RuntimeException ignored) {
        // already closed
      }
      app.stream = null;
    }
    deliverIssued();
    log.info("application {} ended: {} {}", app.id(), state, message);
    forgetEndedApps();
  }

  ResourceVector usageOf(String appId) {
    ResourceVector sum = ResourceVector.ZERO;
    for (Grant g : scheduler.grantsOf(appId)) {
      sum = sum.plus(g.shape());
    }
    return sum;
  }

  io.feitian.proto.common.v1.Resources usageProto(String appId) {
    return ResourceProtos.toProto(usageOf(appId));
  }

  LocalityLevel level(String field, io.feitian.proto.fuxi.v1.LocalityLevel l) {
    return Conversions.fromProto(field, l, false);
  }

  /** Ends every stream so peers look for the new leader; forgets the term's soft state. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    CompletableFuture<Void> done = call(() -> {
      closed = true;
      io.grpc.StatusRuntimeException gone = io.grpc.Status.UNAVAILABLE
          .withDescription("leader term " + epoch + " ended").asRuntimeException();
      for (NodeSession n : nodes.values()) {
        if (n.stream != null) {
          try {
            n.stream.onError(gone);
          } catch (RuntimeException ignored) {
            // already closed
          }
        }
      }
      for (AppRuntime a : apps.values()) {
        if (a.stream != null) {
          try {
            a.stream.onError(gone);
          } catch (RuntimeException ignored) {
            // already closed
          }
        }
      }
      return null;
    });
    try {
      done.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("term {}: closing streams: {}", epoch, e.toString());
    }
    closed = true;
    loop.shutdownNow();
  }
}
