package io.feitian.fuxi.master.report;

import io.feitian.client.shennong.DaemonReport;
import io.feitian.proto.fuxi.v1.ClusterStatus;
import io.feitian.proto.fuxi.v1.NodeState;
import io.feitian.proto.fuxi.v1.NodeStatus;
import io.feitian.proto.shennong.v1.Severity;
import java.util.HashMap;
import java.util.Map;

/**
 * Figures and events from successive views of the cluster ({@code ClusterStatus}) of one leader.
 * Events are transitions between two views: a node lost, back, or joining; a new term. While a
 * new leader recovers, nodes coming back are not news (they were members before the failover),
 * so joins are reported only once the term has recovered.
 */
public final class ClusterReport {
  private long epoch;
  private Map<String, NodeState> nodes = Map.of();

  /** The report of a view; {@code leader} is the reporting master's address. */
  public DaemonReport next(ClusterStatus status, String leader) {
    DaemonReport.Builder r = new DaemonReport.Builder();
    boolean newTerm = status.getEpoch() != epoch;
    if (newTerm) {
      r.event("fuxi.leader.changed", Severity.SEVERITY_INFO,
          "fuxi-master " + leader + " leads with epoch " + status.getEpoch(), "epoch", Long.toString(status.getEpoch()));
      nodes = Map.of();
    }
    Map<String, NodeState> now = new HashMap<>();
    int alive = 0;
    int workers = 0;
    for (NodeStatus n : status.getNodesList()) {
      now.put(n.getNodeId(), n.getState());
      NodeState before = nodes.get(n.getNodeId());
      boolean isAlive = n.getState() == NodeState.NODE_STATE_ALIVE;
      alive += isAlive ? 1 : 0;
      workers += n.getWorkers();
      String node = n.getNodeId();
      if (before == NodeState.NODE_STATE_ALIVE && !isAlive) {
        r.event("fuxi.node.lost", Severity.SEVERITY_WARNING, "node " + node + " lost: silent for "
            + n.getLastHeartbeatAgeMs() + " ms; its grants were revoked", "node", node);
      } else if (before == NodeState.NODE_STATE_LOST && isAlive) {
        r.event("fuxi.node.back", Severity.SEVERITY_INFO, "node " + node + " is back", "node", node);
      } else if (before == null && isAlive && !newTerm && !status.getRecovering()) {
        r.event("fuxi.node.joined", Severity.SEVERITY_INFO, "node " + node + " joined at " + n.getAddress(),
            "node", node);
      }
    }
    epoch = status.getEpoch();
    nodes = now;
    return r.gauge("fuxi.master.leader", 1)
        .gauge("fuxi.master.nodes.alive", alive)
        .gauge("fuxi.master.nodes.lost", status.getNodesCount() - alive)
        .gauge("fuxi.master.workers", workers)
        .gauge("fuxi.master.pending.units", status.getPendingUnits())
        .counter("fuxi.master.grants.issued", status.getGrantsIssued())
        .gauge("fuxi.master.cpu.total.millis", status.getTotal().getCpuMillis())
        .gauge("fuxi.master.cpu.free.millis", status.getFree().getCpuMillis())
        .gauge("fuxi.master.memory.total.mib", status.getTotal().getMemoryMib())
        .gauge("fuxi.master.memory.free.mib", status.getFree().getMemoryMib())
        .gauge("fuxi.master.epoch", status.getEpoch())
        .build();
  }
}
