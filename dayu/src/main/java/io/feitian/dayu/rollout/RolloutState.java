package io.feitian.dayu.rollout;

import java.util.List;
import java.util.Map;

/**
 * Everything a {@link Rollout} knows, as plain records: the configuration database stores it, and
 * {@link Rollout#restore} continues from it without redoing a reported step.
 *
 * @param phases one per module, in dependency order (reverse order for scale-in)
 * @param phase the current phase; {@code batch} its current batch, {@code batchStarted} whether its
 *     tasks were created, {@code approved} whether the operator approved it (interactive)
 * @param nodes the nodes the rollout may touch or count, with the versions as the rollout left them
 * @param tasks by node/module/purpose
 * @param rollbackPlanned whether the rollback tasks were created (after a stop with rollback)
 */
public record RolloutState(Kind kind, Strategy strategy, Status status, String reason, boolean paused,
    List<Phase> phases, int phase, int batch, boolean batchStarted, boolean approved, Map<String, NodeView> nodes,
    Map<String, Task> tasks, int failures, boolean rollbackPlanned) {

  public RolloutState {
    phases = List.copyOf(phases);
    nodes = Map.copyOf(nodes);
    tasks = Map.copyOf(tasks);
  }

  /** An interactive rollout waiting for the operator's approval of its next batch. */
  public boolean awaitingApproval() {
    return status == Status.RUNNING && strategy.interactive() && !batchStarted && !approved && phase < phases.size()
        && phases.get(phase).planned() && batch < phases.get(phase).batches().size();
  }

  /**
   * One module's part of the rollout.
   *
   * @param version the target, "" to remove the module
   * @param nodes the nodes to change, chosen when the rollout was planned
   * @param batches node ids per batch, set when the phase starts (nodes away then are deferred instead)
   */
  public record Phase(String module, String version, List<String> nodes, List<List<String>> batches, boolean planned) {
    public Phase {
      nodes = List.copyOf(nodes);
      batches = batches.stream().map(List::copyOf).toList();
    }
  }
}
