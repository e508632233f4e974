package io.feitian.fuxi.master.term;

import io.feitian.common.app.FieldChecks;
import io.feitian.common.grpc.Addresses;
import io.feitian.common.grpc.Echo;
import io.feitian.common.resource.ResourceProtos;
import io.feitian.common.resource.ResourceVector;
import io.feitian.fuxi.master.recovery.GrantRecovery;
import io.feitian.fuxi.master.scheduler.Grant;
import io.feitian.proto.fuxi.v1.NodeDirective;
import io.feitian.proto.fuxi.v1.NodeHeartbeat;
import io.feitian.proto.fuxi.v1.RegisterNodeRequest;
import io.feitian.proto.fuxi.v1.RegisterNodeResponse;
import io.feitian.proto.fuxi.v1.RevokeReason;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
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
   * reports. What the books keep is {@link GrantRecovery}'s decision; the
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
    GrantRecovery.Registration decided = term.recovery.register(nodeId, req.getRack(), total, reported);
    if (previous != null) {
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
    }
    term.lostNodes.remove(nodeId);
    NodeSession session = new NodeSession(nodeId, req.getAddress(), req.getRack(), total);
    term.nodes.put(nodeId, session);
    term.note(decided.issued());
    if (!decided.announced().isEmpty()) {
      session.send(NodeDirective.newBuilder().setEpoch(term.epoch)
          .addAllGranted(decided.announced().stream().map(g -> Conversions.toProto(g, session.address)).toList())
          .build());
    }
    decided.claimsLost().forEach((appId, ids) -> term.appOps.tellRevoked(appId, ids,
        RevokeReason.REVOKE_REASON_NODE_LOST, "grant could not be restored on " + nodeId));
    decided.refusals().forEach(why -> log.warn("node {}: {}", nodeId, why));
    session.workers = req.getWorkersList();
    session.lastHeardMillis = term.now();
    term.liveness.heard(nodeId, session.lastHeardMillis);
    term.childMasters.onWorkers(nodeId, req.getWorkersList());
    term.deliverIssued();
    log.info("node {} registered at {} (rack {}, {}; {} grants kept, {} revoked, {} announced)", nodeId,
        req.getAddress(), req.getRack(), total, req.getGrantsCount() - decided.revoked().size(),
        decided.revoked().size(), decided.announced().size());
    term.publishNodes();
    return RegisterNodeResponse.newBuilder()
        .setEpoch(term.epoch)
        .setHeartbeatIntervalMs(term.settings.heartbeatInterval().toMillis())
        .setNodeTimeoutMs(term.settings.nodeTimeout().toMillis())
        .addAllRevokedGrantIds(decided.revoked())
        .build();
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
      List<Grant> gone = term.note(term.recovery.nodeLost(nodeId)).released();
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
