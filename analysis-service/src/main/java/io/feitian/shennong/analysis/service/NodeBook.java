package io.feitian.shennong.analysis.service;

import io.feitian.shennong.analysis.NodeInfo;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which node metadata the core is told after each of fuxi-master's node lists: fuxi-master's racks
 * with the configuration's {@code nodes} over them, and for a node that has left fuxi-master's list
 * and is not in the configuration, the fallback of a node known to neither (rack "" and role "",
 * the core's rule), so that its rows do not keep the rack it last had. Pure; one caller at a time.
 */
final class NodeBook {
  /** What to tell the core: these nodes' metadata, and these nodes' removed. */
  record Changes(List<NodeInfo> put, Set<String> removed) {}

  private final Map<String, NodeInfo> configured;
  private Set<String> fromFuxi = Set.of();

  NodeBook(Map<String, NodeInfo> configured) {
    this.configured = Map.copyOf(configured);
  }

  /** The changes after fuxi-master listed {@code fuxi}. */
  Changes update(Map<String, NodeInfo> fuxi) {
    Map<String, NodeInfo> nodes = new HashMap<>(fuxi);
    nodes.putAll(configured);
    Set<String> removed = new HashSet<>(fromFuxi);
    removed.removeAll(nodes.keySet());
    fromFuxi = Set.copyOf(fuxi.keySet());
    return new Changes(List.copyOf(nodes.values()), Set.copyOf(removed));
  }
}
