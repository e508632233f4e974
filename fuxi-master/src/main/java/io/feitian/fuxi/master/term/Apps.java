package io.feitian.fuxi.master.term;

import io.feitian.common.app.FieldChecks;
import io.feitian.common.app.MasterAttempt;
import io.feitian.common.grpc.Addresses;
import io.feitian.common.grpc.Echo;
import io.feitian.common.resource.ResourceProtos;
import io.feitian.common.resource.ResourceVector;
import io.feitian.fuxi.master.recovery.GrantRecovery;
import io.feitian.fuxi.master.scheduler.Grant;
import io.feitian.fuxi.master.scheduler.LocalityLevel;
import io.feitian.proto.fuxi.v1.AppState;
import io.feitian.proto.fuxi.v1.Attach;
import io.feitian.proto.fuxi.v1.Attached;
import io.feitian.proto.fuxi.v1.LocalityDemand;
import io.feitian.proto.fuxi.v1.NodeDirective;
import io.feitian.proto.fuxi.v1.ReportBadNode;
import io.feitian.proto.fuxi.v1.ReturnGrants;
import io.feitian.proto.fuxi.v1.RevokeReason;
import io.feitian.proto.fuxi.v1.SchedulingEvent;
import io.feitian.proto.fuxi.v1.UnitRequest;
import io.feitian.proto.fuxi.v1.Unregister;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Application masters' scheduling streams within a term. Runs on the term's loop. */
public final class Apps {
  private static final Logger log = LoggerFactory.getLogger(Apps.class);
  private static final Pattern UNIT = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final FieldChecks CHECKS = new FieldChecks("");

  private final LeaderTerm term;

  Apps(LeaderTerm term) {
    this.term = term;
  }

  private AppRuntime activeApp(String appId) {
    AppRuntime app = term.apps.get(appId);
    if (app == null) {
      throw Status.NOT_FOUND.withDescription("unknown application " + Echo.quote(appId)).asRuntimeException();
    }
    if (!app.active()) {
      throw Status.NOT_FOUND.withDescription("application " + appId + " has ended: " + app.info.getState())
          .asRuntimeException();
    }
    return app;
  }

  /**
   * A master attaches (first message of its stream): grants it holds are
   * checked against the nodes' reports, its outstanding demand replaces any
   * demand this term knew, and every grant the application holds is sent back.
   */
  public void attach(Attach attach, StreamObserver<SchedulingEvent> stream) {
    AppRuntime app = activeApp(attach.getAppId());
    // Fencing: a master presumed dead (its node lost) that still runs must not take the application back.
    if (attach.hasMasterAttempt() && attach.getMasterAttempt() != app.info.getMasterRestarts()) {
      throw MasterAttempt.superseded(app.id(), attach.getMasterAttempt(), app.info.getMasterRestarts());
    }
    // Check the whole message before changing anything.
    List<Grant> claims = new ArrayList<>();
    for (int i = 0; i < attach.getHeldGrantsCount(); i++) {
      Grant g = Conversions.fromProto("attach.held_grants[" + i + "]", attach.getHeldGrants(i));
      if (!g.appId().equals(app.id())) {
        throw new IllegalArgumentException("attach.held_grants[" + i + "].app_id is " + g.appId() + ", not " + app.id());
      }
      claims.add(g);
    }
    for (int i = 0; i < attach.getOutstandingCount(); i++) {
      checkRequest("attach.outstanding[" + i + "]", attach.getOutstanding(i), true);
    }
    if (!attach.getEndpoint().isEmpty()) {
      Addresses.requireHostPort("attach.endpoint", attach.getEndpoint());
    }
    if (app.stream != null && app.stream != stream) {
      try {
        app.stream.onError(Status.ABORTED.withDescription("another master attached for " + app.id()).asRuntimeException());
      } catch (RuntimeException ignored) {
        // already closed
      }
    }
    app.stream = stream;
    if (!attach.getEndpoint().equals(app.info.getEndpoint())) {
      app.info = app.info.toBuilder().setEndpoint(attach.getEndpoint()).build();
      term.hard.putApp(app.info);
    }

    GrantRecovery.Attachment decided = term.recovery.attach(app.id(), claims, term.now());
    term.note(decided.issued());
    decided.refusals().forEach(why -> log.info("application {}: claim refused: {}", app.id(), why));
    for (Grant g : decided.announced()) {
      NodeSession n = term.nodes.get(g.nodeId());
      n.send(NodeDirective.newBuilder().setEpoch(term.epoch).addGranted(Conversions.toProto(g, n.address)).build());
    }
    if (!decided.unclaimed().isEmpty()) {
      log.info("application {}: {} grants its master did not claim are revoked", app.id(), decided.unclaimed().size());
      term.taken(decided.unclaimed(), RevokeReason.REVOKE_REASON_UNSPECIFIED, "not claimed by the master of " + app.id(),
          false);
    }
    term.clearDemand(app.id());
    Set<Long> rejectedSet = new LinkedHashSet<>(decided.rejected());
    List<io.feitian.proto.fuxi.v1.Grant> accepted = new ArrayList<>();
    for (Grant g : term.scheduler.grantsOf(app.id())) {
      if (!GrantRecovery.isMasterGrant(g)) {
        accepted.add(Conversions.toProto(g, term.addressOf(g.nodeId())));
      }
    }
    stream.onNext(SchedulingEvent.newBuilder().setEpoch(term.epoch)
        .setAttached(Attached.newBuilder().addAllAccepted(accepted).addAllRejectedGrantIds(rejectedSet)).build());
    term.sendNodesTo(app);
    for (int i = 0; i < attach.getOutstandingCount(); i++) {
      apply(app, attach.getOutstanding(i), true);
    }
    term.deliverIssued();
    log.info("application {} attached: {} grants held, {} rejected", app.id(), accepted.size(), rejectedSet.size());
  }

  /** Claims parked for nodes that never came back, once they no longer may, are lost: their masters are told. */
  void settleParkedClaims() {
    term.recovery.expireParkedClaims(term.now()).forEach((nodeId, byApp) -> byApp.forEach((appId, ids) ->
        tellRevoked(appId, ids, RevokeReason.REVOKE_REASON_NODE_LOST, "node " + nodeId + " did not come back within "
            + term.settings.recoveryWindow().plus(term.settings.nodeTimeout()) + " of the failover")));
  }

  /** Tells an application's master that grants it claimed are gone. */
  void tellRevoked(String appId, List<Long> ids, RevokeReason reason, String detail) {
    AppRuntime app = term.apps.get(appId);
    if (app != null) {
      app.send(SchedulingEvent.newBuilder().setEpoch(term.epoch).setRevoked(
          io.feitian.proto.fuxi.v1.GrantsRevoked.newBuilder().addAllGrantIds(ids).setReason(reason).setDetail(detail))
          .build());
    }
  }

  public void request(String appId, UnitRequest req) {
    AppRuntime app = activeApp(appId);
    checkRequest("request", req, false);
    apply(app, req, false);
    term.deliverIssued();
  }

  /** Validates a request completely, so that applying it cannot fail half-way. */
  private void checkRequest(String field, UnitRequest req, boolean absolute) {
    CHECKS.matches(field + ".unit", req.getUnit(), UNIT);
    if (req.getUnit().equals(GrantRecovery.MASTER_UNIT)) {
      throw new IllegalArgumentException(field + ".unit '" + GrantRecovery.MASTER_UNIT + "' is reserved");
    }
    if (!req.hasShape()) {
      throw new IllegalArgumentException(field + ".shape is required");
    }
    ResourceProtos.fromProto(field + ".shape", req.getShape());
    for (int i = 0; i < req.getDemandsCount(); i++) {
      LocalityDemand d = req.getDemands(i);
      String f = field + ".demands[" + i + "]";
      LocalityLevel level = term.level(f + ".level", d.getLevel());
      if (level == LocalityLevel.CLUSTER && !d.getTarget().isEmpty()) {
        throw new IllegalArgumentException(f + ".target must be empty for CLUSTER, got " + Echo.quote(d.getTarget()));
      }
      if (level != LocalityLevel.CLUSTER && d.getTarget().isBlank()) {
        throw new IllegalArgumentException(f + ".target must name a " + (level == LocalityLevel.MACHINE ? "node" : "rack"));
      }
      if (level != LocalityLevel.CLUSTER) {
        CHECKS.matches(f + ".target", d.getTarget(), level == LocalityLevel.MACHINE ? Nodes.NODE_ID : Nodes.RACK);
      }
      if (absolute && d.getCountDelta() < 0) {
        throw new IllegalArgumentException(f + ".count_delta is an absolute count here and must be >= 0");
      }
    }
  }

  private void apply(AppRuntime app, UnitRequest req, boolean absolute) {
    ResourceVector shape = ResourceProtos.fromProto("shape", req.getShape());
    for (LocalityDemand d : req.getDemandsList()) {
      if (d.getCountDelta() == 0 && !absolute) {
        continue;
      }
      term.note(term.scheduler.request(app.id(), req.getUnit(), shape, req.getPriority(),
          term.level("level", d.getLevel()), d.getTarget(), d.getCountDelta(), d.getRelaxLocality()));
    }
  }

  public void returnGrants(String appId, ReturnGrants ret) {
    AppRuntime app = activeApp(appId);
    for (int i = 0; i < ret.getGrantIdsCount(); i++) {
      Grant g = term.grant(ret.getGrantIds(i));
      if (g != null && !g.appId().equals(appId)) {
        throw new IllegalArgumentException("return_grants.grant_ids[" + i + "] = " + ret.getGrantIds(i)
            + " belongs to another application");
      }
    }
    List<Grant> released = new ArrayList<>();
    List<Long> notBooked = new ArrayList<>();
    for (long id : ret.getGrantIdsList()) {
      Grant g = term.grant(id);
      if (g == null) {
        notBooked.add(id); // already revoked (node lost, preempted), or claimed on a node not back yet
        continue;
      }
      term.note(term.scheduler.release(id));
      released.add(g);
    }
    term.recovery.claimsReturned(appId, notBooked);
    term.taken(released, RevokeReason.REVOKE_REASON_UNSPECIFIED, "returned by " + app.id(), false);
    term.deliverIssued();
  }

  /**
   * An application found a machine bad. Enough different applications within
   * the window put it on the cluster blacklist (hard state, removable by an
   * operator), so new work avoids it.
   */
  public void reportBadNode(String appId, ReportBadNode report) {
    activeApp(appId);
    CHECKS.matches("report_bad_node.node_id", report.getNodeId(), Nodes.NODE_ID);
    CHECKS.maxBytes("report_bad_node.reason", report.getReason(), FieldChecks.MAX_TEXT_BYTES);
    log.info("application {} reports node {} bad: {}", appId, report.getNodeId(), report.getReason());
    if (term.blacklist.containsKey(report.getNodeId())) {
      return;
    }
    Set<String> reporters = term.badNodes.report(report.getNodeId(), appId, term.now());
    if (!reporters.isEmpty()) {
      String why = "reported bad by " + reporters.size() + " applications (" + String.join(", ", reporters)
          + "); last: " + report.getReason();
      term.admin.blacklist(report.getNodeId(), why.length() > 500 ? why.substring(0, 500) : why);
    }
  }

  public void unregister(String appId, Unregister u) {
    AppRuntime app = activeApp(appId);
    if (u.getOutcome().size() > AppKinds.MAX_DESCRIPTION_BYTES) {
      throw new IllegalArgumentException("unregister.outcome is " + u.getOutcome().size() + " bytes; at most "
          + AppKinds.MAX_DESCRIPTION_BYTES + " are allowed");
    }
    app.info = app.info.toBuilder().setOutcome(u.getOutcome()).build();
    app.stream = null; // the stream ends normally after this
    AppState end = u.getSucceeded() ? AppState.APP_STATE_SUCCEEDED
        : u.getKilled() ? AppState.APP_STATE_KILLED : AppState.APP_STATE_FAILED;
    term.finishApp(app, end, u.getDiagnostics());
  }

  public void streamEnded(String appId, StreamObserver<SchedulingEvent> stream) {
    AppRuntime app = term.apps.get(appId);
    if (app != null && app.stream == stream) {
      app.stream = null;
    }
  }
}
