package io.feitian.fuxi.master.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.client.shennong.DaemonReport;
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
    DaemonReport r = report.next(status(1, false, node("a", NodeState.NODE_STATE_ALIVE, 2),
        node("b", NodeState.NODE_STATE_LOST, 0)), "m1:7100");
    assertThat(r.value("fuxi.master.leader")).hasValue(1);
    assertThat(r.value("fuxi.master.nodes.alive")).hasValue(1);
    assertThat(r.value("fuxi.master.nodes.lost")).hasValue(1);
    assertThat(r.value("fuxi.master.workers")).hasValue(2);
    assertThat(r.value("fuxi.master.pending.units")).hasValue(3);
    assertThat(r.value("fuxi.master.grants.issued")).hasValue(40);
    assertThat(r.value("fuxi.master.cpu.free.millis")).hasValue(2000);
    assertThat(r.value("fuxi.master.epoch")).hasValue(1);
    assertThat(r.events()).extracting(DaemonReport.Event::name).containsExactly("fuxi.leader.changed");
  }

  @Test
  void nodeTransitionsAreEventsButNodesReturningToANewLeaderAreNot() {
    report.next(status(1, false, node("a", NodeState.NODE_STATE_ALIVE, 0)), "m1");
    DaemonReport joined = report.next(status(1, false, node("a", NodeState.NODE_STATE_ALIVE, 0),
        node("b", NodeState.NODE_STATE_ALIVE, 0)), "m1");
    assertThat(joined.events()).singleElement().satisfies(e -> {
      assertThat(e.name()).isEqualTo("fuxi.node.joined");
      assertThat(e.labels()).containsEntry("node", "b");
    });
    DaemonReport lost = report.next(status(1, false, node("a", NodeState.NODE_STATE_ALIVE, 0),
        node("b", NodeState.NODE_STATE_LOST, 0)), "m1");
    assertThat(lost.events()).singleElement().satisfies(e -> {
      assertThat(e.name()).isEqualTo("fuxi.node.lost");
      assertThat(e.severity()).isEqualTo(Severity.SEVERITY_WARNING);
    });
    assertThat(report.next(status(1, false, node("a", NodeState.NODE_STATE_ALIVE, 0),
        node("b", NodeState.NODE_STATE_ALIVE, 0)), "m1").events()).extracting(DaemonReport.Event::name)
        .containsExactly("fuxi.node.back");

    // A failover: the new leader's nodes register again while it recovers; only the new term is news.
    assertThat(report.next(status(2, true, node("a", NodeState.NODE_STATE_ALIVE, 0)), "m2").events())
        .extracting(DaemonReport.Event::name).containsExactly("fuxi.leader.changed");
    assertThat(report.next(status(2, true, node("a", NodeState.NODE_STATE_ALIVE, 0),
        node("b", NodeState.NODE_STATE_ALIVE, 0)), "m2").events()).isEmpty();
  }
}
