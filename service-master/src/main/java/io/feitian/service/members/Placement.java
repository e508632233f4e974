package io.feitian.service.members;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a role's next workers may go under its placement limits (at most
 * so many per node and per rack): a pure function of the live nodes and
 * where the role's workers are (running, starting or asked for).
 */
public final class Placement {
  /** A live node of the cluster and its rack. */
  public record Node(String id, String rack) {}

  private Placement() {}

  /**
   * Up to {@code count} node ids, one per worker wanted, spreading over the
   * nodes with the fewest of the role's workers first; fewer when the limits
   * leave no room.
   */
  static List<String> targets(List<Node> nodes, Map<String, Integer> perNode, int maxPerNode, int maxPerRack,
      int count) {
    Map<String, Integer> onNode = new HashMap<>(perNode);
    Map<String, Integer> onRack = new HashMap<>();
    for (Node n : nodes) {
      onRack.merge(n.rack(), onNode.getOrDefault(n.id(), 0), Integer::sum);
    }
    List<String> targets = new ArrayList<>();
    while (targets.size() < count) {
      Node best = null;
      for (Node n : nodes) {
        int here = onNode.getOrDefault(n.id(), 0);
        boolean room = (maxPerNode == 0 || here < maxPerNode)
            && (maxPerRack == 0 || onRack.getOrDefault(n.rack(), 0) < maxPerRack);
        if (room && (best == null || here < onNode.getOrDefault(best.id(), 0))) {
          best = n;
        }
      }
      if (best == null) {
        break;
      }
      targets.add(best.id());
      onNode.merge(best.id(), 1, Integer::sum);
      onRack.merge(best.rack(), 1, Integer::sum);
    }
    return targets;
  }

  /** Whether one more of the role's workers fits on {@code node}. */
  static boolean fits(Node node, List<Node> nodes, Map<String, Integer> perNode, int maxPerNode, int maxPerRack) {
    if (maxPerNode > 0 && perNode.getOrDefault(node.id(), 0) >= maxPerNode) {
      return false;
    }
    if (maxPerRack > 0) {
      int onRack = 0;
      for (Node n : nodes) {
        if (n.rack().equals(node.rack())) {
          onRack += perNode.getOrDefault(n.id(), 0);
        }
      }
      return onRack < maxPerRack;
    }
    return true;
  }
}
