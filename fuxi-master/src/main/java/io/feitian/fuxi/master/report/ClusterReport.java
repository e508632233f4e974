package io.feitian.fuxi.master.report;

import io.feitian.proto.fuxi.v1.ClusterStatus;
import io.feitian.proto.fuxi.v1.NodeState;
import io.feitian.proto.fuxi.v1.NodeStatus;
import io.feitian.proto.shennong.v1.Severity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Figures and events from successive views of the cluster ({@code ClusterStatus}) of one leader.
 * Events are transitions between two views: a node lost, back, or joining; a new term. While a
 * new leader recovers, nodes coming back are not news (they were members before the failover),
 * so joins are reported only once the term has recovered.
 */
public final class ClusterReport {
  /** An event for Shennong. */
  public record Event(String name, Severity severity, String message, Map<String, String> labels) {}

  /** One view's figures (by Micrometer-style name) and the events since the previous view. */
  public record Report(Map<String, Double> figures, List<Event> events) {}

  private long epoch;
  private Map<String, NodeState> nodes = Map.of();

  /** The report of a view; {@code leader} is the reporting master's address. */
  public Report next(ClusterStatus status, String leader) {
    List<Event> events = new ArrayList<>();
    boolean newTerm = status.getEpoch() != epoch;
    if (newTerm) {
      events.add(new Event("fuxi.leader.changed", Severity.SEVERITY_INFO,
          "fuxi-master " + leader + " leads with epoch " + status.getEpoch(),
          Map.of("epoch", Long.toString(status.getEpoch()))));
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
      Map<String, String> labels = Map.of("node", n.getNodeId());
      if (before == NodeState.NODE_STATE_ALIVE && !isAlive) {
        events.add(new Event("fuxi.node.lost", Severity.SEVERITY_WARNING, "node " + n.getNodeId()
            + " lost: silent for " + n.getLastHeartbeatAgeMs() + " ms; its grants were revoked", labels));
      } else if (before == NodeState.NODE_STATE_LOST && isAlive) {
        events.add(new Event("fuxi.node.back", Severity.SEVERITY_INFO, "node " + n.getNodeId() + " is back", labels));
      } else if (before == null && isAlive && !newTerm && !status.getRecovering()) {
        events.add(new Event("fuxi.node.joined", Severity.SEVERITY_INFO, "node " + n.getNodeId() + " joined at "
            + n.getAddress(), labels));
      }
    }
    epoch = status.getEpoch();
    nodes = now;
    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put("fuxi.master.nodes.alive", (double) alive);
    figures.put("fuxi.master.nodes.lost", (double) (status.getNodesCount() - alive));
    figures.put("fuxi.master.workers", (double) workers);
    figures.put("fuxi.master.pending.units", (double) status.getPendingUnits());
    figures.put("fuxi.master.grants.issued", (double) status.getGrantsIssued());
    figures.put("fuxi.master.cpu.total.millis", (double) status.getTotal().getCpuMillis());
    figures.put("fuxi.master.cpu.free.millis", (double) status.getFree().getCpuMillis());
    figures.put("fuxi.master.memory.total.mib", (double) status.getTotal().getMemoryMib());
    figures.put("fuxi.master.memory.free.mib", (double) status.getFree().getMemoryMib());
    figures.put("fuxi.master.epoch", (double) status.getEpoch());
    return new Report(figures, events);
  }
}
