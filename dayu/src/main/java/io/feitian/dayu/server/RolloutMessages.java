package io.feitian.dayu.server;

import io.feitian.dayu.control.RolloutControl;
import io.feitian.dayu.db.Rollout;
import io.feitian.dayu.rollout.RolloutState;
import io.feitian.dayu.rollout.Task;
import io.feitian.proto.dayu.v1.NodeTaskInfo;
import io.feitian.proto.dayu.v1.RolloutBatch;
import io.feitian.proto.dayu.v1.RolloutInfo;
import io.feitian.proto.dayu.v1.RolloutKind;
import io.feitian.proto.dayu.v1.RolloutPhase;
import java.util.Comparator;

/** Rollouts as the operator API shows them. */
final class RolloutMessages {
  private static final Comparator<Task> BY_PLACE = Comparator.comparingInt(Task::phase)
      .thenComparingInt(Task::batch).thenComparing(Task::node).thenComparing(Task::purpose);

  private RolloutMessages() {}

  static RolloutInfo info(RolloutControl.View view, boolean withTasks) {
    Rollout r = view.record();
    RolloutState s = view.state();
    RolloutInfo.Builder b = RolloutInfo.newBuilder()
        .setId(r.id())
        .setCluster(r.cluster())
        .setKind(RolloutKind.valueOf(r.kind().name()))
        .putAllTargets(r.targets())
        .addAllNodes(r.nodes().stream().sorted().toList())
        .setState(s.status().name())
        .setPaused(s.paused())
        .setAwaitingApproval(view.awaitingApproval())
        .setReason(s.reason())
        .setCreatedBy(r.createdBy())
        .setCreatedAtMillis(r.createdAt().toEpochMilli())
        .setUpdatedAtMillis(r.updatedAt().toEpochMilli())
        .setRepairsPending(r.repairsPending());
    if (withTasks) {
      for (RolloutState.Phase p : s.phases()) {
        RolloutPhase.Builder phase = RolloutPhase.newBuilder().setModule(p.module()).setVersion(p.version())
            .addAllNodes(p.nodes()).setPlanned(p.planned());
        p.batches().forEach(hosts -> phase.addBatches(RolloutBatch.newBuilder().addAllHosts(hosts)));
        b.addPhases(phase);
      }
      b.setCurrentPhase(s.phase()).setCurrentBatch(s.batch());
      s.tasks().values().stream().sorted(BY_PLACE).forEach(t -> b.addTasks(NodeTaskInfo.newBuilder()
          .setHost(t.node())
          .setModule(t.module())
          .setPurpose(t.purpose().name())
          .setFromVersion(t.fromVersion())
          .setToVersion(t.toVersion())
          .setState(t.state().name())
          .setPhase(t.phase())
          .setBatch(t.batch())
          .setStepsDone(t.stepsDone())
          .setStepCount(t.stepCount())
          .setDetail(t.detail())));
    }
    return b.build();
  }
}
