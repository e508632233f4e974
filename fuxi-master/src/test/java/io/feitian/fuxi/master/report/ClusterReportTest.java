package io.feitian.fuxi.master.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.ClusterStatus;
import io.feitian.proto.fuxi.v1.NodeState;
import io.feitian.proto.fuxi.v1.NodeStatus;
import io.feitian.proto.shennong.v1.Severity;
import org.junit.jupiter.api.Test;

class ClusterReportTest {
  private final ClusterReport report = new ClusterReport();

  private static NodeStatus node(String id, NodeState state, int workers) {
    return NodeStatus.newBuilder().setNodeId(id).setAddress(id + ":7200").setState(state).setWorkers(workers).build();
  }

  private static ClusterStatus status(long epoch, boolean recovering, NodeStatus... nodes) {
    return ClusterStatus.newBuilder().setEpoch(epoch).setRecovering(recovering).addAllNodes(java.util.List.of(nodes))
        .setPendingUnits(3).setGrantsIssued(40).setTotal(Resources.newBuilder().setCpuMillis(8000).setMemoryMib(8192))
        .setFree(Resources.newBuilder().setCpuMillis(2000).setMemoryMib(1024)).build();
  }

  @Test
  void figuresComeFromTheView() {
    ClusterReport.Report r = report.next(status(1, false, node("a", NodeState.NODE_STATE_ALIVE, 2),
        node("b", NodeState.NODE_STATE_LOST, 0)), "m1:7100");
    assertThat(r.figures()).containsEntry("fuxi.master.nodes.alive", 1.0).containsEntry("fuxi.master.nodes.lost", 1.0)
        .containsEntry("fuxi.master.workers", 2.0).containsEntry("fuxi.master.pending.units", 3.0)
        .containsEntry("fuxi.master.grants.issued", 40.0).containsEntry("fuxi.master.cpu.free.millis", 2000.0)
        .containsEntry("fuxi.master.epoch", 1.0);
    assertThat(r.events()).extracting(ClusterReport.Event::name).containsExactly("fuxi.leader.changed");
  }

  @Test
  void nodeTransitionsAreEventsButNodesReturningToANewLeaderAreNot() {
    report.next(status(1, false, node("a", NodeState.NODE_STATE_ALIVE, 0)), "m1");
    ClusterReport.Report joined = report.next(status(1, false, node("a", NodeState.NODE_STATE_ALIVE, 0),
        node("b", NodeState.NODE_STATE_ALIVE, 0)), "m1");
    assertThat(joined.events()).singleElement().satisfies(e -> {
      assertThat(e.name()).isEqualTo("fuxi.node.joined");
      assertThat(e.labels()).containsEntry("node", "b");
    });
    ClusterReport.Report lost = report.next(status(1, false, node("a", NodeState.NODE_STATE_ALIVE, 0),
        node("b", NodeState.NODE_STATE_LOST, 0)), "m1");
    assertThat(lost.events()).singleElement().satisfies(e -> {
      assertThat(e.name()).isEqualTo("fuxi.node.lost");
      assertThat(e.severity()).isEqualTo(Severity.SEVERITY_WARNING);
    });
    assertThat(report.next(status(1, false, node("a", NodeState.NODE_STATE_ALIVE, 0),
        node("b", NodeState.NODE_STATE_ALIVE, 0)), "m1").events()).extracting(ClusterReport.Event::name)
        .containsExactly("fuxi.node.back");

    // A failover: the new leader's nodes register again while it recovers; only the new term is news.
    assertThat(report.next(status(2, true, node("a", NodeState.NODE_STATE_ALIVE, 0)), "m2").events())
        .extracting(ClusterReport.Event::name).containsExactly("fuxi.leader.changed");
    assertThat(report.next(status(2, true, node("a", NodeState.NODE_STATE_ALIVE, 0),
        node("b", NodeState.NODE_STATE_ALIVE, 0)), "m2").events()).isEmpty();
  }
}
