package io.feitian.dayu.rollout;

import java.util.List;
import java.util.Map;

/**
 * How a rollout moves through the nodes of each module (semantics in docs/DAYU.md).
 *
 * @param batches batch sizes over the module's nodes: one value repeats ("2", "25%"); a list ramps
 *     ("1", "10%", "50%"), its last value repeating until every node is covered
 * @param canary size of a first batch in which any failure stops the rollout; null for none
 * @param minHealthyMillis how long a finished batch must stay healthy before the next starts
 * @param maxUnavailable per role, how many of its nodes may be down, in a rollout step, or failed at once
 * @param defaultMaxUnavailable the same for roles not in {@code maxUnavailable}
 * @param failureThreshold failed nodes tolerated over the whole rollout; one more stops it
 * @param automaticRollback on a stop, return every touched node to its previous version
 * @param interactive wait for an operator's approval before each batch
 * @param taskTimeoutMillis a node's task with no reported step for this long has failed
 */
public record Strategy(
    List<Amount> batches,
    Amount canary,
    long minHealthyMillis,
    Map<String, Amount> maxUnavailable,
    Amount defaultMaxUnavailable,
    int failureThreshold,
    boolean automaticRollback,
    boolean interactive,
    long taskTimeoutMillis) {

  public Strategy {
    if (batches.isEmpty()) {
      throw new IllegalArgumentException("strategy.batches must hold at least one size");
    }
    if (minHealthyMillis < 0 || failureThreshold < 0 || taskTimeoutMillis < 1) {
      throw new IllegalArgumentException("strategy: min-healthy and failure-threshold must be >= 0, task-timeout > 0");
    }
    batches = List.copyOf(batches);
    maxUnavailable = Map.copyOf(maxUnavailable);
  }

  /** One node at a time, 30 s healthy between batches, no failure tolerated, automatic rollback, automated. */
  public static Strategy defaults() {
    return new Strategy(List.of(new Amount(1, false)), null, 30_000, Map.of(), new Amount(1, false), 0, true, false,
        600_000);
  }

  int maxUnavailable(String role, int nodesOfRole) {
    return maxUnavailable.getOrDefault(role, defaultMaxUnavailable).of(nodesOfRole, false);
  }
}
