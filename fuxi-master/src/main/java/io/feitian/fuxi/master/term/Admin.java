package io.feitian.fuxi.master.term;

import io.feitian.common.resource.ResourceProtos;
import io.feitian.common.resource.ResourceVector;
import io.feitian.fuxi.master.scheduler.Grant;
import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.AppSpec;
import io.feitian.proto.fuxi.v1.AppState;
import io.feitian.proto.fuxi.v1.BlacklistEntry;
import io.feitian.proto.fuxi.v1.ClusterStatus;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import io.feitian.proto.fuxi.v1.NodeState;
import io.feitian.proto.fuxi.v1.NodeStatus;
import io.feitian.proto.fuxi.v1.QuotaGroup;
import io.feitian.proto.fuxi.v1.RevokeReason;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applications, quota groups, the blacklist and cluster status. Runs on the term's loop. */
public final class Admin {
  private static final Logger log = LoggerFactory.getLogger(Admin.class);
  static final String DEFAULT_GROUP = "default";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private final LeaderTerm term;

  Admin(LeaderTerm term) {
    this.term = term;
  }

  // ---- applications ------------------------------------------------------------------------

  public String submit(AppSpec submitted) {
    AppSpec spec = term.kinds.complete(submitted, term.scheduler::anyNodeCanHold);
    validate(spec);
    String group = spec.getQuotaGroup().isEmpty() ? DEFAULT_GROUP : spec.getQuotaGroup();
    if (!group.equals(DEFAULT_GROUP) && !term.quotas.containsKey(group)) {
      throw new IllegalArgumentException("spec.quota_group '" + group + "' does not exist");
    }
    String appId = term.hard.nextAppId();
    AppInfo info = AppInfo.newBuilder().setAppId(appId).setSpec(spec).setState(AppState.APP_STATE_PENDING)
        .setSubmittedAtMs(term.now()).build();
    term.hard.putApp(info);
    term.apps.put(appId, new AppRuntime(info));
    term.scheduler.addApp(appId, group);
    log.info("application {} ({}) submitted", appId, spec.getName());
    return appId;
  }

  private static void validate(AppSpec spec) {
    if (!NAME.matcher(spec.getName()).matches()) {
      throw new IllegalArgumentException("spec.name must match [A-Za-z0-9_.-]{1,64}, got '" + spec.getName() + "'");
    }
    if (!spec.getQuotaGroup().isEmpty() && !NAME.matcher(spec.getQuotaGroup()).matches()) {
      throw new IllegalArgumentException("spec.quota_group must match [A-Za-z0-9_.-]{1,64}");
    }
    LaunchSpec master = spec.getMaster();
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

  public AppInfo kill(String appId, String who) {
    AppRuntime app = find(appId);
    term.finishApp(app, AppState.APP_STATE_KILLED, "killed by " + who);
    return view(app);
  }

  public AppInfo get(String appId) {
    return view(find(appId));
  }

  public List<AppInfo> list(boolean all) {
    List<AppInfo> out = new ArrayList<>();
    for (AppRuntime app : term.apps.values()) {
      if (all || app.active()) {
        out.add(view(app));
      }
    }
    return out;
  }

  private AppRuntime find(String appId) {
    AppRuntime app = term.apps.get(appId);
    if (app == null) {
      throw Status.NOT_FOUND.withDescription("unknown application '" + appId + "'").asRuntimeException();
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
    if (!NAME.matcher(q.getName()).matches()) {
      throw new IllegalArgumentException("quota.name must match [A-Za-z0-9_.-]{1,64}, got '" + q.getName() + "'");
    }
    ResourceVector min = ResourceProtos.fromProto("quota.min", q.getMin());
    ResourceVector max = ResourceProtos.fromProto("quota.max", q.getMax());
    if (!max.isZero() && !min.fitsIn(max)) {
      throw new IllegalArgumentException("quota.min (" + min + ") exceeds quota.max (" + max + ")");
    }
    if (q.getWeight() < 0 || Double.isNaN(q.getWeight()) || Double.isInfinite(q.getWeight())) {
      throw new IllegalArgumentException("quota.weight must be a positive number, got " + q.getWeight());
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
      throw Status.NOT_FOUND.withDescription("unknown quota group '" + name + "'").asRuntimeException();
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

  public BlacklistEntry blacklist(String nodeId, String reason) {
    if (!Nodes.NODE_ID.matcher(nodeId).matches()) {
      throw new IllegalArgumentException("node_id must match [A-Za-z0-9_.-]{1,128}, got '" + nodeId + "'");
    }
    BlacklistEntry entry = BlacklistEntry.newBuilder().setNodeId(nodeId).setReason(reason)
        .setAddedAtMs(term.now()).build();
    term.hard.putBlacklist(entry);
    term.blacklist.put(nodeId, entry);
    term.scheduler.blacklist(nodeId);
    log.info("node {} blacklisted: {}", nodeId, reason);
    return entry;
  }

  public void unblacklist(String nodeId) {
    if (!term.blacklist.containsKey(nodeId)) {
      throw Status.NOT_FOUND.withDescription("node '" + nodeId + "' is not blacklisted").asRuntimeException();
    }
    term.hard.deleteBlacklist(nodeId);
    term.blacklist.remove(nodeId);
    term.note(term.scheduler.unblacklist(nodeId));
    term.deliverIssued();
  }

  public List<BlacklistEntry> listBlacklist() {
    return new ArrayList<>(term.blacklist.values());
  }

  // ---- grants ------------------------------------------------------------------------------

  public void revoke(long grantId, String reason) {
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
    ClusterStatus.Builder b = ClusterStatus.newBuilder().setEpoch(term.epoch);
    ResourceVector total = ResourceVector.ZERO;
    ResourceVector free = ResourceVector.ZERO;
    long now = term.now();
    for (NodeSession n : term.nodes.values()) {
      ResourceVector nodeFree = term.scheduler.node(n.nodeId).map(s -> s.free()).orElse(ResourceVector.ZERO);
      total = total.plus(n.total);
      free = free.plus(nodeFree);
      b.addNodes(NodeStatus.newBuilder()
          .setNodeId(n.nodeId).setAddress(n.address).setRack(n.rack).setState(NodeState.NODE_STATE_ALIVE)
          .setTotal(ResourceProtos.toProto(n.total)).setFree(ResourceProtos.toProto(nodeFree))
          .setBlacklisted(term.blacklist.containsKey(n.nodeId))
          .setGrants(term.scheduler.grantsOn(n.nodeId).size())
          .setWorkers(n.workers.size())
          .setLastHeartbeatAgeMs(now - n.lastHeardMillis));
    }
    term.lostNodes.forEach((nodeId, lastHeard) -> b.addNodes(NodeStatus.newBuilder()
        .setNodeId(nodeId).setState(NodeState.NODE_STATE_LOST)
        .setBlacklisted(term.blacklist.containsKey(nodeId))
        .setLastHeartbeatAgeMs(now - lastHeard)));
    return b.setTotal(ResourceProtos.toProto(total)).setFree(ResourceProtos.toProto(free))
        .setPendingUnits((int) Math.min(Integer.MAX_VALUE, term.scheduler.pendingUnits())).build();
  }
}
