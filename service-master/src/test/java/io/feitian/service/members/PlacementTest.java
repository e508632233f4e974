package io.feitian.service.members;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.service.members.Placement.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Where a role's next workers go under max_per_node / max_per_rack (0 = no limit). */
class PlacementTest {
  private static final Node A1 = new Node("a1", "rack-a");
  private static final Node A2 = new Node("a2", "rack-a");
  private static final Node A3 = new Node("a3", "rack-a");
  private static final Node B1 = new Node("b1", "rack-b");
  private static final Node B2 = new Node("b2", "rack-b");

  /** How many times each node id occurs. */
  private static Map<String, Long> counts(List<String> targets) {
    return targets.stream().collect(Collectors.groupingBy(t -> t, Collectors.counting()));
  }

  @Test
  void targetsGoToTheLeastLoadedNodesFirst() {
    // a1 has 2 workers, a2 none, b1 one: the next three level them out at 2 each.
    List<String> t = Placement.targets(List.of(A1, A2, B1), Map.of("a1", 2, "b1", 1), 0, 0, 3);
    assertThat(t).hasSize(3);
    assertThat(t.get(0)).as("the emptiest node comes first").isEqualTo("a2");
    assertThat(counts(t)).containsOnly(Map.entry("a2", 2L), Map.entry("b1", 1L));
  }

  @Test
  void withoutLimitsTargetsSpreadEvenly() {
    List<String> t = Placement.targets(List.of(A1, A2, B1), Map.of(), 0, 0, 7);
    assertThat(t).hasSize(7);
    assertThat(counts(t).values()).as("7 workers over 3 empty nodes: 3, 2, 2").containsExactlyInAnyOrder(3L, 2L, 2L);
    // Round robin: no node gets a second worker before every node has one.
    assertThat(t.subList(0, 3)).containsExactlyInAnyOrder("a1", "a2", "b1");
    assertThat(t.subList(3, 6)).containsExactlyInAnyOrder("a1", "a2", "b1");
  }

  @Test
  void maxPerNodeIsRespectedAndCountsExistingWorkers() {
    // a1 already has 1 of at most 2, a2 has 2 (full), b1 none: room for 1 + 0 + 2.
    List<String> t = Placement.targets(List.of(A1, A2, B1), Map.of("a1", 1, "a2", 2), 2, 0, 10);
    assertThat(counts(t)).containsOnly(Map.entry("a1", 1L), Map.entry("b1", 2L));
    assertThat(t).as("fewer than asked: the limit leaves room for 3").hasSize(3);
  }

  @Test
  void maxPerRackIsRespectedAndCountsExistingWorkers() {
    // rack-a holds 1 worker (on a1), limit 2 per rack: one more on rack-a, two on rack-b.
    List<String> t = Placement.targets(List.of(A1, A2, A3, B1, B2), Map.of("a1", 1), 0, 2, 10);
    assertThat(t).hasSize(3);
    Map<String, Long> c = counts(t);
    assertThat(c.get("a1")).as("a1 is the most loaded node of rack-a").isNull();
    assertThat(c.getOrDefault("a2", 0L) + c.getOrDefault("a3", 0L)).isEqualTo(1L);
    assertThat(c).containsEntry("b1", 1L).containsEntry("b2", 1L);
  }

  @Test
  void aFullRackIsSkippedEvenWhenItsNodesAreEmpty() {
    // a1 holds both of rack-a's allowed workers; a2 and a3 are empty but get none.
    List<String> t = Placement.targets(List.of(A1, A2, A3, B1), Map.of("a1", 2), 0, 2, 5);
    assertThat(t).containsExactly("b1", "b1");
  }

  @Test
  void bothLimitsTogether() {
    // per node 1, per rack 2: rack-a takes 2 of its 3 nodes, rack-b both of its nodes.
    List<String> t = Placement.targets(List.of(A1, A2, A3, B1, B2), Map.of(), 1, 2, 10);
    assertThat(t).hasSize(4).doesNotHaveDuplicates();
    assertThat(t.stream().filter(n -> n.startsWith("a"))).hasSize(2);
    assertThat(t).contains("b1", "b2");
  }

  @Test
  void noRoomNoNodesOrNothingWantedGiveNoTargets() {
    assertThat(Placement.targets(List.of(A1, B1), Map.of("a1", 1, "b1", 1), 1, 0, 3)).isEmpty();
    assertThat(Placement.targets(List.of(A1, B1), Map.of("a1", 1, "b1", 1), 0, 1, 3)).isEmpty();
    assertThat(Placement.targets(List.of(), Map.of(), 0, 0, 3)).isEmpty();
    assertThat(Placement.targets(List.of(A1, B1), Map.of(), 0, 0, 0)).isEmpty();
    // Over the limit already (the limit was lowered): still no room, not a negative count.
    assertThat(Placement.targets(List.of(A1), Map.of("a1", 5), 2, 0, 3)).isEmpty();
  }

  @Test
  void workersOnNodesThatAreGoneDoNotBlockLiveOnes() {
    // "gone" is not a live node: it is never a target, and its rack is unknown so it fills no rack.
    List<String> t = Placement.targets(List.of(A1, B1), Map.of("gone", 9), 1, 1, 5);
    assertThat(t).containsExactlyInAnyOrder("a1", "b1");
  }

  @Test
  void fitsFollowsTheSameLimits() {
    List<Node> nodes = List.of(A1, A2, B1);
    assertThat(Placement.fits(A1, nodes, Map.of(), 0, 0)).isTrue();
    assertThat(Placement.fits(A1, nodes, Map.of("a1", 1), 1, 0)).isFalse();
    assertThat(Placement.fits(A2, nodes, Map.of("a1", 1), 1, 0)).isTrue();
    assertThat(Placement.fits(A2, nodes, Map.of("a1", 1), 0, 1)).as("rack-a is full through a1").isFalse();
    assertThat(Placement.fits(B1, nodes, Map.of("a1", 1), 0, 1)).isTrue();
    assertThat(Placement.fits(A2, nodes, Map.of("a1", 1), 0, 2)).isTrue();
    assertThat(Placement.fits(A2, nodes, Map.of("a1", 1, "a2", 1), 2, 2)).isFalse();
  }

  /**
   * On random clusters: every target fits when it is chosen (given the ones
   * before it), it is a least-loaded node among those that fit, the limits
   * hold afterwards, and targets stops short only when no node fits.
   */
  @Test
  void fitsAgreesWithTargets() {
    Random random = new Random(20240611L);
    for (int round = 0; round < 2_000; round++) {
      int racks = 1 + random.nextInt(3);
      List<Node> nodes = new ArrayList<>();
      int nodeCount = random.nextInt(7);
      for (int i = 0; i < nodeCount; i++) {
        nodes.add(new Node("n" + i, "r" + random.nextInt(racks)));
      }
      Map<String, Integer> perNode = new HashMap<>();
      for (Node n : nodes) {
        if (random.nextBoolean()) {
          perNode.put(n.id(), random.nextInt(4));
        }
      }
      if (random.nextInt(4) == 0) {
        perNode.put("gone", 1 + random.nextInt(3)); // a node no longer live
      }
      int maxPerNode = random.nextInt(4);
      int maxPerRack = random.nextInt(5);
      int count = random.nextInt(9);
      String what = "round " + round + ": nodes " + nodes + ", workers " + perNode + ", max per node " + maxPerNode
          + ", max per rack " + maxPerRack + ", count " + count;

      List<String> targets = Placement.targets(nodes, Map.copyOf(perNode), maxPerNode, maxPerRack, count);
      assertThat(targets).as(what).hasSizeLessThanOrEqualTo(count);

      Map<String, Integer> state = new HashMap<>(perNode);
      for (String t : targets) {
        Node node = nodes.stream().filter(n -> n.id().equals(t)).findFirst().orElse(null);
        assertThat(node).as(what + ": target %s is a live node", t).isNotNull();
        assertThat(Placement.fits(node, nodes, state, maxPerNode, maxPerRack))
            .as(what + ": target %s fits when chosen (workers %s)", t, state).isTrue();
        int here = state.getOrDefault(t, 0);
        for (Node other : nodes) {
          if (Placement.fits(other, nodes, state, maxPerNode, maxPerRack)) {
            assertThat(state.getOrDefault(other.id(), 0))
                .as(what + ": %s fits and is less loaded than the chosen %s (workers %s)", other.id(), t, state)
                .isGreaterThanOrEqualTo(here);
          }
        }
        state.merge(t, 1, Integer::sum);
      }
      if (targets.size() < count) {
        for (Node n : nodes) {
          assertThat(Placement.fits(n, nodes, state, maxPerNode, maxPerRack))
              .as(what + ": targets stopped at %d but %s still fits (workers %s)", targets.size(), n.id(), state)
              .isFalse();
        }
      }
    }
  }
}
