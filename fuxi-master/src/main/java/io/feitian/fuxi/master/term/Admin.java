package io.feitian.fuxi.master.term;

import io.feitian.common.app.FieldChecks;
import io.feitian.common.grpc.Echo;
import io.feitian.common.resource.ResourceProtos;
import io.feitian.common.resource.ResourceVector;
import io.feitian.fuxi.master.scheduler.Grant;
import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.AppSpec;
import io.feitian.proto.fuxi.v1.AppState;
import io.feitian.proto.fuxi.v1.BlacklistEntry;
import io.feitian.proto.fuxi.v1.BlacklistRequest;
import io.feitian.proto.fuxi.v1.ClusterStatus;
import io.feitian.proto.fuxi.v1.DrainEntry;
import io.feitian.proto.fuxi.v1.DrainNodeRequest;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import io.feitian.proto.fuxi.v1.NodeState;
import io.feitian.proto.fuxi.v1.NodeStatus;
import io.feitian.proto.fuxi.v1.QuotaGroup;
import io.feitian.proto.fuxi.v1.RevokeReason;
import io.feitian.common.security.Principal;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applications, quota groups, the blacklist, node drains and cluster status. Runs on the term's loop. */
public final class Admin {
  private static final Logger log = LoggerFactory.getLogger(Admin.class);
  static final String DEFAULT_GROUP = "default";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final FieldChecks CHECKS = new FieldChecks("");
  /** Quota weights are relative; a million to one is already beyond any sensible policy. */
  static final double MAX_WEIGHT = 1_000_000;

  private final LeaderTerm term;

  Admin(LeaderTerm term) {
    this.term = term;
  }

  // ---- applications ------------------------------------------------------------------------

  public String submit(AppSpec submitted, String owner) {
    AppSpec spec = term.kinds.complete(submitted, term.scheduler::anyNodeCanHold);
    validate(spec);
    requireSomeNodeHolds("spec.master_resources", ResourceProtos.fromProto("spec.master_resources",
        spec.getMasterResources()));
    String group = spec.getQuotaGroup().isEmpty() ? DEFAULT_GROUP : spec.getQuotaGroup();
    if (!group.equals(DEFAULT_GROUP) && !term.quotas.containsKey(group)) {
      throw new IllegalArgumentException("spec.quota_group " + Echo.quote(group) + " does not exist");
    }
    String appId = term.hard.nextAppId();
    AppInfo info = AppInfo.newBuilder().setAppId(appId).setSpec(spec).setState(AppState.APP_STATE_PENDING)
        .setSubmittedAtMs(term.now()).setOwner(owner).build();
    term.hard.putApp(info);
    term.apps.put(appId, new AppRuntime(info));
    term.scheduler.addApp(appId, group);
    log.info("application {} ({}) submitted by {}", appId, spec.getName(), owner);
    return appId;
  }

  private static void validate(AppSpec spec) {
    CHECKS.matches("spec.name", spec.getName(), NAME);
    if (!spec.getQuotaGroup().isEmpty()) {
      CHECKS.matches("spec.quota_group", spec.getQuotaGroup(), NAME);
    }
    LaunchSpec master = spec.getMaster();
    CHECKS.launch("spec.master", master);
    switch (master.getProgramCase()) {
      case PROCESS -> {
        if (master.getProcess().getArgvCount() == 0 || master.getProcess().getArgv(0).isBlank()) {
          throw new IllegalArgumentException("spec.master.process.argv must name a program");
        }
      }
      case THREAD -> {
        if (master.getThread().getMainClass().isBlank()) {
          throw new IllegalArgumentException("spec.master.thread.main_class must not be empty");
        }
      }
      default -> throw new IllegalArgumentException("spec.master must have a process or thread program");
    }
    ResourceVector r = ResourceProtos.fromProto("spec.master_resources", spec.getMasterResources());
    if (r.cpuMillis() == 0 || r.memoryMib() == 0) {
      throw new IllegalArgumentException("spec.master_resources must ask for some CPU and memory, got " + r);
    }
    if (spec.getMaxMasterRestarts() < -1) {
      throw new IllegalArgumentException("spec.max_master_restarts must be >= -1");
    }
  }

  /** Refuses what no node could ever hold (it would wait forever); a cluster with no nodes yet takes anything. */
  private void requireSomeNodeHolds(String field, ResourceVector shape) {
    if (term.scheduler.anyNodeCanHold(shape)) {
      return;
    }
    var largest = term.scheduler.nodes().stream().max(Comparator.comparing(n -> n.total(),
        Comparator.comparingLong(ResourceVector::cpuMillis).thenComparingLong(ResourceVector::memoryMib))).orElseThrow();
    throw new IllegalArgumentException(field + " " + shape + " exceeds every node of the cluster (the largest, "
        + largest.nodeId() + ", has " + largest.total() + ")");
  }

  /** Kills an application its owner or an admin may change. */
  public AppInfo kill(String appId, Principal who) {
    AppRuntime app = find(appId);
    who.checkChange("application " + appId, app.info.getOwner());
    term.finishApp(app, AppState.APP_STATE_KILLED, "killed by " + who.name());
    return view(app);
  }

  public AppInfo get(String appId, Principal who) {
    AppRuntime app = find(appId);
    who.checkRead("application " + appId, app.info.getOwner());
    return view(app);
  }

  /** The applications {@code who} may read (a user sees its own). */
  public List<AppInfo> list(boolean all, Principal who) {
    List<AppInfo> out = new ArrayList<>();
    for (AppRuntime app : term.apps.values()) {
      if ((all || app.active()) && who.mayRead(app.info.getOwner())) {
        out.add(view(app));
      }
    }
    return out;
  }

  private AppRuntime find(String appId) {
    AppRuntime app = term.apps.get(appId);
    if (app == null) {
      throw Status.NOT_FOUND.withDescription("unknown application " + Echo.quote(appId)).asRuntimeException();
    }
    return app;
  }

  private AppInfo view(AppRuntime app) {
    AppInfo.Builder b = app.info.toBuilder();
    if (app.active()) {
      List<Grant> grants = term.scheduler.grantsOf(app.id());
      b.setGrants(grants.size()).setInUse(term.usageProto(app.id()));
    }
    return b.build();
  }

  // ---- quotas ------------------------------------------------------------------------------

  public QuotaGroup setQuota(QuotaGroup q) {
    CHECKS.matches("quota.name", q.getName(), NAME);
    ResourceVector min = ResourceProtos.fromProto("quota.min", q.getMin());
    ResourceVector max = ResourceProtos.fromProto("quota.max", q.getMax());
    if (!max.isZero() && !min.fitsIn(max)) {
      throw new IllegalArgumentException("quota.min (" + min + ") exceeds quota.max (" + max + ")");
    }
    if (!(q.getWeight() >= 0 && q.getWeight() <= MAX_WEIGHT)) {
      throw new IllegalArgumentException("quota.weight must be a positive number of at most " + (long) MAX_WEIGHT
          + " (0 means 1), got " + q.getWeight());
    }
    QuotaGroup stored = q.toBuilder().setWeight(q.getWeight() == 0 ? 1.0 : q.getWeight()).clearInUse().build();
    term.hard.putQuota(stored);
    installQuota(stored);
    term.deliverIssued();
    return withUsage(stored);
  }

  void installQuota(QuotaGroup q) {
    ResourceVector max = ResourceProtos.fromProto("quota.max", q.getMax());
    term.note(term.scheduler.setQuota(new io.feitian.fuxi.master.scheduler.QuotaGroup(q.getName(),
        ResourceProtos.fromProto("quota.min", q.getMin()), max.isZero() ? null : max,
        q.getWeight() == 0 ? 1.0 : q.getWeight())));
    term.quotas.put(q.getName(), q);
  }

  public void deleteQuota(String name) {
    if (name.equals(DEFAULT_GROUP)) {
      throw Status.FAILED_PRECONDITION.withDescription("the default quota group cannot be deleted").asRuntimeException();
    }
    if (!term.quotas.containsKey(name)) {
      throw Status.NOT_FOUND.withDescription("unknown quota group " + Echo.quote(name)).asRuntimeException();
    }
    for (AppRuntime app : term.apps.values()) {
      if (app.active() && LeaderTerm.groupOf(app.info).equals(name)) {
        throw Status.FAILED_PRECONDITION.withDescription("quota group '" + name + "' is used by " + app.id())
            .asRuntimeException();
      }
    }
    term.hard.deleteQuota(name);
    term.scheduler.removeQuota(name);
    term.quotas.remove(name);
  }

  public List<QuotaGroup> listQuotas() {
    List<QuotaGroup> out = new ArrayList<>();
    if (!term.quotas.containsKey(DEFAULT_GROUP)) {
      out.add(withUsage(QuotaGroup.newBuilder().setName(DEFAULT_GROUP).setWeight(1.0).build()));
    }
    for (QuotaGroup q : term.quotas.values()) {
      out.add(withUsage(q));
    }
    return out;
  }

  private QuotaGroup withUsage(QuotaGroup q) {
    ResourceVector usage = term.scheduler.group(q.getName()).map(g -> g.usage()).orElse(ResourceVector.ZERO);
    return q.toBuilder().setInUse(ResourceProtos.toProto(usage)).build();
  }

  // ---- blacklist ---------------------------------------------------------------------------

  /** An operator's AddToBlacklist: a known node (alive or lost) unless forced. */
  public BlacklistEntry blacklist(BlacklistRequest req) {
    CHECKS.matches("node_id", req.getNodeId(), Nodes.NODE_ID);
    CHECKS.maxBytes("reason", req.getReason(), FieldChecks.MAX_TEXT_BYTES);
    if (!req.getForce() && !term.nodes.containsKey(req.getNodeId()) && !term.lostNodes.containsKey(req.getNodeId())) {
      throw Status.NOT_FOUND.withDescription("node " + Echo.quote(req.getNodeId())
          + " is not a node of this cluster (neither alive nor lost); set force to blacklist it anyway")
          .asRuntimeException();
    }
    return blacklist(req.getNodeId(), req.getReason());
  }

  BlacklistEntry blacklist(String nodeId, String reason) {
    BlacklistEntry entry = BlacklistEntry.newBuilder().setNodeId(nodeId).setReason(reason)
        .setAddedAtMs(term.now()).build();
    term.hard.putBlacklist(entry);
    term.blacklist.put(nodeId, entry);
    term.scheduler.blacklist(nodeId);
    term.publishNodes();
    log.info("node {} blacklisted: {}", nodeId, reason);
    return entry;
  }

  public void unblacklist(String nodeId) {
    if (!term.blacklist.containsKey(nodeId)) {
      throw Status.NOT_FOUND.withDescription("node " + Echo.quote(nodeId) + " is not blacklisted").asRuntimeException();
    }
    term.hard.deleteBlacklist(nodeId);
    term.blacklist.remove(nodeId);
    term.note(term.scheduler.unblacklist(nodeId));
    term.publishNodes();
    term.deliverIssued();
  }

  public List<BlacklistEntry> listBlacklist() {
    return new ArrayList<>(term.blacklist.values());
  }

  // ---- drains ------------------------------------------------------------------------------

  /**
   * An operator's DrainNode: a known node (alive or lost), one already draining (a drain outlives
   * the node's session, so it can be repeated while the node is away), or, while the leader is
   * recovering, any node (it may not have re-registered yet). Idempotent: a repeat keeps the
   * first reason and start.
   */
  public NodeStatus drain(DrainNodeRequest req) {
    CHECKS.matches("node_id", req.getNodeId(), Nodes.NODE_ID);
    CHECKS.maxBytes("reason", req.getReason(), FieldChecks.MAX_TEXT_BYTES);
    String nodeId = req.getNodeId();
    requireKnown(nodeId);
    boolean starts = !term.draining.containsKey(nodeId);
    if (starts) {
      DrainEntry entry = DrainEntry.newBuilder().setNodeId(nodeId).setReason(req.getReason())
          .setStartedAtMs(term.now()).build();
      term.hard.putDrain(entry);
      term.draining.put(nodeId, entry);
      term.scheduler.drain(nodeId);
      term.publishNodes();
    }
    NodeStatus status = nodeStatus(nodeId);
    if (starts) {
      log.info("node {} draining ({} grants on it): {}", nodeId, status.getGrants(), req.getReason());
    }
    return status;
  }

  /** An operator's UndrainNode: the node takes new grants again. */
  public NodeStatus undrain(String nodeId) {
    CHECKS.matches("node_id", nodeId, Nodes.NODE_ID);
    requireKnown(nodeId);
    if (term.draining.containsKey(nodeId)) {
      term.hard.deleteDrain(nodeId);
      term.draining.remove(nodeId);
      term.note(term.scheduler.undrain(nodeId));
      term.publishNodes();
      term.deliverIssued();
      log.info("node {} no longer draining", nodeId);
    }
    return nodeStatus(nodeId);
  }

  private void requireKnown(String nodeId) {
    if (!term.nodes.containsKey(nodeId) && !term.lostNodes.containsKey(nodeId) && !term.draining.containsKey(nodeId)
        && !term.inRecovery()) {
      throw Status.NOT_FOUND.withDescription("node_id " + Echo.quote(nodeId)
          + " is not a node of this cluster (neither alive nor lost)").asRuntimeException();
    }
  }

  // ---- grants ------------------------------------------------------------------------------

  public void revoke(long grantId, String reason) {
    CHECKS.maxBytes("reason", reason, FieldChecks.MAX_TEXT_BYTES);
    Grant g = term.grant(grantId);
    if (g == null) {
      throw Status.NOT_FOUND.withDescription("no grant " + grantId).asRuntimeException();
    }
    term.note(term.scheduler.revoke(grantId));
    term.taken(List.of(g), RevokeReason.REVOKE_REASON_ADMIN, reason.isEmpty() ? "revoked by an administrator" : reason, true);
    term.deliverIssued();
  }

  /** Periodic: take back resources from groups above their minimum for groups below it. */
  void preempt() {
    List<Grant> victims = term.scheduler.planPreemption();
    if (victims.isEmpty()) {
      return;
    }
    for (Grant g : victims) {
      term.note(term.scheduler.revoke(g.grantId()));
    }
    log.info("preempted {} grants to honour guaranteed minimums", victims.size());
    term.taken(victims, RevokeReason.REVOKE_REASON_PREEMPTED, "preempted for a quota group below its minimum", true);
    term.deliverIssued();
  }

  // ---- status ------------------------------------------------------------------------------

  public ClusterStatus status() {
    ClusterStatus.Builder b = ClusterStatus.newBuilder().setEpoch(term.epoch).setRecovering(term.inRecovery());
    ResourceVector total = ResourceVector.ZERO;
    ResourceVector free = ResourceVector.ZERO;
    long now = term.now();
    for (NodeSession n : term.nodes.values()) {
      total = total.plus(n.total);
      free = free.plus(term.scheduler.node(n.nodeId).map(s -> s.free()).orElse(ResourceVector.ZERO));
      b.addNodes(alive(n, now));
    }
    term.lostNodes.forEach((nodeId, lastHeard) -> b.addNodes(lost(nodeId, lastHeard, now)));
    return b.setTotal(ResourceProtos.toProto(total)).setFree(ResourceProtos.toProto(free))
        .setPendingUnits((int) Math.min(Integer.MAX_VALUE, term.scheduler.pendingUnits()))
        .setGrantsIssued(term.grantsIssued()).build();
  }

  /**
   * One node as GetClusterStatus shows it. A node this term has not heard from (a drain loaded
   * from the hard state, or asked for during recovery) is in state UNSPECIFIED while the leader
   * recovers (it may still come back with grants), and LOST, holding nothing, after.
   */
  private NodeStatus nodeStatus(String nodeId) {
    long now = term.now();
    NodeSession n = term.nodes.get(nodeId);
    if (n != null) {
      return alive(n, now);
    }
    Long lastHeard = term.lostNodes.get(nodeId);
    if (lastHeard != null) {
      return lost(nodeId, lastHeard, now);
    }
    NodeStatus notHeard = lost(nodeId, now, now).toBuilder().clearLastHeartbeatAgeMs().build();
    return term.inRecovery() ? notHeard.toBuilder().setState(NodeState.NODE_STATE_UNSPECIFIED).build() : notHeard;
  }

  private NodeStatus alive(NodeSession n, long now) {
    ResourceVector nodeFree = term.scheduler.node(n.nodeId).map(s -> s.free()).orElse(ResourceVector.ZERO);
    return NodeStatus.newBuilder()
        .setNodeId(n.nodeId).setAddress(n.address).setRack(n.rack).setState(NodeState.NODE_STATE_ALIVE)
        .setTotal(ResourceProtos.toProto(n.total)).setFree(ResourceProtos.toProto(nodeFree))
        .setInUse(ResourceProtos.toProto(n.total.minus(nodeFree)))
        .setBlacklisted(term.blacklist.containsKey(n.nodeId))
        .setDraining(term.draining.containsKey(n.nodeId))
        .setGrants(term.scheduler.grantsOn(n.nodeId).size())
        .setWorkers(n.workers.size())
        .setLastHeartbeatAgeMs(now - n.lastHeardMillis).build();
  }

  private NodeStatus lost(String nodeId, long lastHeard, long now) {
    return NodeStatus.newBuilder()
        .setNodeId(nodeId).setState(NodeState.NODE_STATE_LOST)
        .setBlacklisted(term.blacklist.containsKey(nodeId))
        .setDraining(term.draining.containsKey(nodeId))
        .setLastHeartbeatAgeMs(now - lastHeard).build();
  }
}
