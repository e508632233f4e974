package io.feitian.service.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PartitionTableTest {
  @Test
  void evenPartitionsCoverTheHexKeySpace() {
    PartitionTable t = PartitionTable.evenly(4);
    assertThat(t.partitions()).extracting(p -> p.range().toString())
        .containsExactly("[-inf, 40000000)", "[40000000, 80000000)", "[80000000, c0000000)", "[c0000000, +inf)");
    assertThat(t.partitionOf("7fffffff").id()).isEqualTo("p-1");
    assertThat(t.partitionOf("c0000000").id()).isEqualTo("p-3");
  }

  @Test
  void gapsAndOverlapsAreRefused() {
    assertThatThrownBy(() -> new PartitionTable(List.of(new KeyRange("", "m"), new KeyRange("n", ""))))
        .hasMessageContaining("gap or overlap");
    assertThatThrownBy(() -> new PartitionTable(List.of(new KeyRange("a", "")))).hasMessageContaining("cover");
    assertThatThrownBy(() -> new KeyRange("z", "a")).hasMessageContaining("not below");
  }

  @Test
  void aMigrationUnloadsBeforeTheNewOwnerLoadsAtAHigherEpoch() {
    PartitionTable t = PartitionTable.evenly(1);
    assertThat(t.load("p-0", "w1")).containsExactly(new Action.Load("w1", "p-0", KeyRange.ALL, 1));
    assertThat(t.ownerOf("abc")).isEmpty();
    t.loaded("p-0", "w1", 1);
    assertThat(t.ownerOf("abc")).contains("w1");
    assertThat(t.migrate("p-0", "w2")).containsExactly(new Action.Unload("w1", "p-0", 1));
    assertThat(t.ownerOf("abc")).as("nobody serves while it moves").isEmpty();
    t.loaded("p-0", "w2", 2); // early, stale: ignored
    assertThat(t.partition("p-0").state()).isEqualTo(PartitionState.UNLOADING);
    assertThat(t.unloaded("p-0", "w1", 1)).containsExactly(new Action.Load("w2", "p-0", KeyRange.ALL, 2));
    t.loaded("p-0", "w2", 2);
    assertThat(t.ownerOf("abc")).contains("w2");
  }

  @Test
  void aSplitGivesTwoHalvesToTheSameOwnerThenEachCanMove() {
    PartitionTable t = PartitionTable.evenly(1);
    t.load("p-0", "w1");
    t.loaded("p-0", "w1", 1);
    assertThat(t.split("p-0", "m")).containsExactly(new Action.Split("w1", "p-0", "m", "p-0a", "p-0b", 2));
    assertThatThrownBy(() -> t.migrate("p-0", "w2")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("SPLITTING");
    assertThat(t.split("p-0", "w1", 2)).as("the owner loads both halves").containsExactly(
        new Action.Load("w1", "p-0a", new KeyRange("", "m"), 2), new Action.Load("w1", "p-0b", new KeyRange("m", ""), 2));
    assertThat(t.ownerOf("a")).as("nobody serves the halves before they are loaded").isEmpty();
    t.loaded("p-0a", "w1", 2);
    t.loaded("p-0b", "w1", 2);
    assertThat(t.partitions()).extracting(p -> p.id() + " " + p.range() + " " + p.owner() + "@" + p.epoch())
        .containsExactly("p-0a [-inf, m) w1@2", "p-0b [m, +inf) w1@2");
    assertThat(t.migrate("p-0b", "w2")).containsExactly(new Action.Unload("w1", "p-0b", 2));
    assertThatThrownBy(() -> t.split("p-0a", "")).hasMessageContaining("does not split");
    assertThatThrownBy(() -> t.split("p-0a", "b".repeat(2 << 20))).as("a split key lives in the table's znode")
        .hasMessage("at is 2097152 bytes; at most 128 are allowed");
  }

  @Test
  void aLeavingWorkersPartitionsMoveToTheOthers() {
    PartitionTable t = PartitionTable.evenly(2);
    t.rebalance(List.of("w1", "w2"), 10).forEach(a -> t.loaded(((Action.Load) a).partition(), a.worker(),
        ((Action.Load) a).epoch()));
    String leaving = t.partition("p-1").owner();
    String staying = leaving.equals("w1") ? "w2" : "w1";
    assertThat(t.rebalance(List.of(staying), 10)).containsExactly(new Action.Unload(leaving, "p-1", 1));
    t.unloaded("p-1", leaving, 1);
    assertThat(t.load(staying)).isEqualTo(2);
  }

  @Test
  void aLostWorkersPartitionsWaitForTheDelayThenAreReassigned() {
    PartitionTable t = PartitionTable.evenly(2);
    t.rebalance(List.of("w1", "w2"), 10).forEach(a -> t.loaded(((Action.Load) a).partition(), a.worker(),
        ((Action.Load) a).epoch()));
    t.workerLost("w1", 1_000);
    assertThat(t.expire(5_000, 10_000)).isEmpty();
    assertThat(t.rebalance(List.of("w1", "w2"), 10)).as("nothing moves to or from a lost worker yet").isEmpty();
    assertThat(t.expire(11_000, 10_000)).containsExactly("w1");
    // The daemon forgets the workers expire() returns.
    List<Action> moves = t.rebalance(List.of("w2"), 10);
    assertThat(moves).singleElement().isEqualTo(new Action.Load("w2", "p-0", new KeyRange("", "80000000"), 2));
  }

  @Test
  void aWorkerBackInTimeKeepsItsPartitions() {
    PartitionTable t = PartitionTable.evenly(1);
    t.load("p-0", "w1");
    t.loaded("p-0", "w1", 1);
    t.workerLost("w1", 0);
    t.workerBack("w1");
    assertThat(t.expire(60_000, 10_000)).isEmpty();
    assertThat(t.ownerOf("x")).contains("w1");
  }

  @Test
  void rebalancingEvensOutWithinTheMoveBudget() {
    PartitionTable t = PartitionTable.evenly(6);
    List<Action> first = t.rebalance(List.of("w1"), 2);
    assertThat(first).hasSize(2).allMatch(a -> a instanceof Action.Load);
    first.forEach(a -> t.loaded(((Action.Load) a).partition(), "w1", 1));
    List<Action> rest = t.rebalance(List.of("w1"), 10);
    assertThat(rest).hasSize(4);
    rest.forEach(a -> t.loaded(((Action.Load) a).partition(), "w1", 1));
    // A second and third worker join: at most two moves at once, from w1 only.
    List<Action> moves = t.rebalance(Set.of("w1", "w2", "w3"), 2);
    assertThat(moves).hasSize(2).allMatch(a -> a instanceof Action.Unload && a.worker().equals("w1"));
  }
}
