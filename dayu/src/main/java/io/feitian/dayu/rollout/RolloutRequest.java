package io.feitian.dayu.rollout;

import java.util.Map;
import java.util.Set;

/**
 * What an operator asked for.
 *
 * @param targets module to version: what DEPLOY, UPGRADE and ROLLBACK install; for SCALE_OUT the
 *     versions the cluster runs; ignored by SCALE_IN
 * @param nodes SCALE_OUT: the new nodes; SCALE_IN: the nodes leaving; empty for the other kinds
 */
public record RolloutRequest(Kind kind, Map<String, String> targets, Set<String> nodes, Strategy strategy) {
  public RolloutRequest {
    targets = Map.copyOf(targets);
    nodes = Set.copyOf(nodes);
  }
}
