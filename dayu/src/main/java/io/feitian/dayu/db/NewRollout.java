package io.feitian.dayu.db;

import io.feitian.dayu.rollout.Kind;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a new rollout is, as the server planned it: {@code targets} module to version ("" removes
 * the module; every other version published), {@code nodes} the nodes the request named (each a
 * node of the cluster), the core's first {@code state} and serialized {@code controllerState}
 * (at most {@link RolloutStore#MAX_CONTROLLER_STATE_BYTES}), and the tasks planned so far.
 */
public record NewRollout(String cluster, Kind kind, Map<String, String> targets, Set<String> nodes, String strategy,
    String createdBy, Rollout.State state, byte[] controllerState, List<NodeTask> tasks) {}
