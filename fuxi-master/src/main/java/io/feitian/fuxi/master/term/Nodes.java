package io.feitian.fuxi.master.term;

import io.feitian.common.app.FieldChecks;
import io.feitian.common.grpc.Addresses;
import io.feitian.common.grpc.Echo;
import io.feitian.common.resource.ResourceProtos;
import io.feitian.common.resource.ResourceVector;
import io.feitian.fuxi.master.scheduler.Grant;
import io.feitian.proto.fuxi.v1.NodeDirective;
import io.feitian.proto.fuxi.v1.NodeHeartbeat;
import io.feitian.proto.fuxi.v1.RegisterNodeRequest;
import io.feitian.proto.fuxi.v1.RegisterNodeResponse;
import io.feitian.proto.fuxi.v1.RevokeReason;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Node membership within a term: registration, heartbeats, loss. Runs on the term's loop. */
public final class Nodes {
  private static final Logger log = LoggerFactory.getLogger(Nodes.class);
  static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
  static final Pattern RACK = Pattern.compile("[A-Za-z0-9_./-]{1,128}");
  private static final FieldChecks CHECKS = new FieldChecks("");

  private final LeaderTerm term;

  Nodes(LeaderTerm term) {
    this.term = term;
  }

  /**
   * Two task-workers on different hosts configured with one node id would
   * take each other's grants and kill each other's workers. A node id alive
   * on one host (heard within the node timeout) is refused to another; the
   * same host may take it over at once (a restarted task-worker, on a new port).
   */
  private void refuseSecondHost(NodeSession previous, String address) {
    if (previous == null || host(previous.address).equals(host(address))) {
      return;
    }
    long silentMs = term.now() - previous.lastHeardMillis;
    if (silentMs < term.settings.nodeTimeout().toMillis()) {
      throw Status.ALREADY_EXISTS.withDescription("node id " + previous.nodeId + " belongs to the task-worker at "
          + previous.address + ", heard " + silentMs + " ms ago; give the one at " + address
          + " its own task-worker.node-id (or stop the other; its id is free once it is lost, after "
          + term.settings.nodeTimeout() + ")").asRuntimeException();
    }
  }

  private static String host(String address) {
    return address.substring(0, address.lastIndexOf(':'));
  }

  /**
   * Registers (or re-registers) a node with the grants and workers it
   * reports. Reported grants the leader can account for are restored; the
   * others are returned as revoked, and the node kills their workers.
   */
  public RegisterNodeResponse register(RegisterNodeRequest req) {
    validate(req);
    ResourceVector total = ResourceProtos.fromProto("total", req.getTotal());
    List<Grant> reported = new ArrayList<>();
    for (int i = 0; i < req.getGrantsCount(); i++) {
      Grant g = Conversions.fromProto("grants[" + i + "]", req.getGrants(i));
      if (!g.nodeId().equals(req.getNodeId())) {
        throw new IllegalArgumentException("grants[" + i + "].node_id is " + g.nodeId() + ", not this node");
      }
      reported.add(g);
    }
    String nodeId = req.getNodeId();
    NodeSession previous = term.nodes.get(nodeId);
    refuseSecondHost(previous, req.getAddress());
    List<Long> revoked = new ArrayList<>();
    if (previous != null) {
      // Re-registration in the same term (task-worker restarted or its stream broke): the
      // leader's books win; grants the node no longer knows are announced again.
      Set<Long> reportedIds = new HashSet<>();
      for (Grant g : reported) {
        reportedIds.add(g.grantId());
        Grant held = term.grant(g.grantId());
        if (held == null || !held.nodeId().equals(nodeId)) {
          revoked.add(g.grantId());
        }
      }
      if (previous.stream != null) {
        try {
          previous.stream.onError(Status.ABORTED.withDescription("node registered again").asRuntimeException());
        } catch (RuntimeException ignored) {
          // already gone
        }
      }
      if (!previous.address.equals(req.getAddress())) {
        term.taskWorkers.forget(previous.address);
      }
      NodeSession session = new NodeSession(nodeId, req.getAddress(), req.getRack(), total);
      term.nodes.put(nodeId, session);
      term.note(term.scheduler.addNode(nodeId, req.getRack(), total));
      List<io.feitian.proto.fuxi.v1.Grant> announce = new ArrayList<>();
      for (Grant g : term.scheduler.grantsOn(nodeId)) {
        if (!reportedIds.contains(g.grantId())) {
          announce.add(Conversions.toProto(g, session.address));
        }
      }
      if (!announce.isEmpty()) {
        session.send(NodeDirective.newBuilder().setEpoch(term.epoch).addAllGranted(announce).build());
      }
    } else {
      term.lostNodes.remove(nodeId);
      Set<Long> revokedWhenLost = term.grantsOfLostNodes.getOrDefault(nodeId, Set.of());
      term.grantsOfLostNodes.remove(nodeId);
      NodeSession session = new NodeSession(nodeId, req.getAddress(), req.getRack(), total);
      term.nodes.put(nodeId, session);
      List<Grant> accepted = new ArrayList<>();
      for (Grant g : reported) {
        AppRuntime app = term.apps.get(g.appId());
        // Once the application's master has attached in this term, its claims decide what it holds.
        boolean unclaimed = app != null && app.attached && !ChildMasters.MASTER_UNIT.equals(g.unit())
            && !term.appOps.isParkedClaim(nodeId, g.grantId());
        if (app == null || !app.active() || term.grant(g.grantId()) != null
            || revokedWhenLost.contains(g.grantId()) || unclaimed) {
          revoked.add(g.grantId());
        } else {
          accepted.add(g);
        }
      }
      // Restore what the node holds before anything new can be placed on it.
      revoked.addAll(addNodeHolding(nodeId, req.getRack(), total, accepted));
      term.appOps.onNodeRegistered(nodeId);
    }
    NodeSession session = term.nodes.get(nodeId);
    session.workers = req.getWorkersList();
    session.lastHeardMillis = term.now();
    term.liveness.heard(nodeId, session.lastHeardMillis);
    term.childMasters.onWorkers(nodeId, req.getWorkersList());
    term.deliverIssued();
    log.info("node {} registered at {} (rack {}, {}; {} grants kept, {} revoked)", nodeId, req.getAddress(),
        req.getRack(), total, req.getGrantsCount() - revoked.size(), revoked.size());
    term.publishNodes();
    return RegisterNodeResponse.newBuilder()
        .setEpoch(term.epoch)
        .setHeartbeatIntervalMs(term.settings.heartbeatInterval().toMillis())
        .setNodeTimeoutMs(term.settings.nodeTimeout().toMillis())
        .addAllRevokedGrantIds(revoked)
        .build();
  }

  /**
   * Adds a node together with the grants it already holds, before anything
   * new can be placed on it (it is kept blacklisted meanwhile). Returns the
   * ids of the grants that could not be restored.
   */
  private List<Long> addNodeHolding(String nodeId, String rack, ResourceVector total, List<Grant> held) {
    boolean blacklisted = term.scheduler.isBlacklisted(nodeId);
    term.scheduler.blacklist(nodeId);
    term.note(term.scheduler.addNode(nodeId, rack, total));
    List<Long> refused = new ArrayList<>();
    for (Grant g : held) {
      try {
        term.scheduler.restore(g);
      } catch (IllegalArgumentException | IllegalStateException e) {
        log.warn("node {}: grant {} not restored: {}", nodeId, g.grantId(), e.getMessage());
        refused.add(g.grantId());
      }
    }
    if (!blacklisted) {
      term.note(term.scheduler.unblacklist(nodeId));
    }
    return refused;
  }

  private static void validate(RegisterNodeRequest req) {
    CHECKS.matches("node_id", req.getNodeId(), NODE_ID);
    Addresses.requireHostPort("address", req.getAddress());
    CHECKS.matches("rack", req.getRack(), RACK);
    ResourceVector total = ResourceProtos.fromProto("total", req.getTotal());
    if (total.cpuMillis() == 0 || total.memoryMib() == 0) {
      throw new IllegalArgumentException("total must offer some CPU and memory, got " + total);
    }
  }

  /**
   * A heartbeat arrived on a stream. The first one attaches the stream to the
   * node's session; one from another epoch, or from a node that is not
   * registered (or was declared lost), ends the stream so the node registers again.
   */
  public void heartbeat(NodeHeartbeat hb, StreamObserver<NodeDirective> stream, boolean first) {
    if (hb.getEpoch() != term.epoch) {
      throw Status.FAILED_PRECONDITION.withDescription("stale epoch " + hb.getEpoch() + "; the current epoch is "
          + term.epoch + ": register again").asRuntimeException();
    }
    NodeSession session = term.nodes.get(hb.getNodeId());
    if (session == null) {
      throw Status.FAILED_PRECONDITION.withDescription("node " + Echo.quote(hb.getNodeId())
          + " is not registered in epoch " + term.epoch + ": register again").asRuntimeException();
    }
    if (first) {
      session.attach(stream);
    } else if (session.stream != stream) {
      throw Status.ABORTED.withDescription("a newer stream of node " + hb.getNodeId() + " replaced this one")
          .asRuntimeException();
    }
    session.lastHeardMillis = term.now();
    term.liveness.heard(hb.getNodeId(), session.lastHeardMillis);
    session.workers = hb.getWorkersList();
    term.childMasters.onWorkers(hb.getNodeId(), hb.getWorkersList());
  }

  /** The heartbeat stream of a node ended; it stays a member until its timeout. */
  public void streamEnded(String nodeId, StreamObserver<NodeDirective> stream) {
    NodeSession session = term.nodes.get(nodeId);
    if (session != null && session.stream == stream) {
      session.stream = null;
    }
  }

  void expireSilentNodes() {
    for (String nodeId : term.liveness.expire(term.now())) {
      NodeSession session = term.nodes.remove(nodeId);
      if (session == null) {
        continue;
      }
      term.lostNodes.put(nodeId, session.lastHeardMillis);
      term.taskWorkers.forget(session.address);
      List<Grant> gone = term.note(term.scheduler.removeNode(nodeId)).released();
      Set<Long> ids = new HashSet<>();
      gone.forEach(g -> ids.add(g.grantId()));
      term.grantsOfLostNodes.put(nodeId, ids);
      log.warn("node {} lost: silent for more than {}; {} grants revoked", nodeId, term.settings.nodeTimeout(), gone.size());
      term.taken(gone, RevokeReason.REVOKE_REASON_NODE_LOST, "node " + nodeId + " lost", true);
      if (session.stream != null) {
        try {
          session.stream.onError(Status.FAILED_PRECONDITION
              .withDescription("node " + nodeId + " was declared lost: register again").asRuntimeException());
        } catch (RuntimeException ignored) {
          // already gone
        }
      }
    }
    term.deliverIssued();
    term.publishNodes();
  }
}
