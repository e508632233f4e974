package io.feitian.fuxi.master.term;

import io.feitian.proto.fuxi.v1.UsableNode;
import io.feitian.proto.fuxi.v1.UsableNodes;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The usable nodes (alive, neither blacklisted nor draining) as the attached application
 * masters were last told, and what to tell them next: a snapshot when one
 * attaches, the difference when the set changes. Plain object, driven by
 * the term's loop.
 */
final class NodeFeed {
  /** Node id to rack, as last published. */
  private final Map<String, String> published = new TreeMap<>();

  /** The change from what was published to {@code usable} (node id to rack), or empty if there is none. */
  Optional<UsableNodes> changeTo(Map<String, String> usable) {
    UsableNodes.Builder change = UsableNodes.newBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(usable).entrySet()) {
      if (!e.getValue().equals(published.get(e.getKey()))) {
        change.addAdded(node(e.getKey(), e.getValue()));
      }
    }
    for (String id : published.keySet()) {
      if (!usable.containsKey(id)) {
        change.addRemoved(id);
      }
    }
    published.clear();
    published.putAll(usable);
    return change.getAddedCount() + change.getRemovedCount() == 0 ? Optional.empty() : Optional.of(change.build());
  }

  /** Everything published, for a master that attaches. */
  UsableNodes snapshot() {
    UsableNodes.Builder all = UsableNodes.newBuilder().setSnapshot(true);
    published.forEach((id, rack) -> all.addAdded(node(id, rack)));
    return all.build();
  }

  private static UsableNode node(String id, String rack) {
    return UsableNode.newBuilder().setNodeId(id).setRack(rack).build();
  }
}
