package io.feitian.dayu.rollout;

import static io.feitian.dayu.rollout.Harness.applies;
import static io.feitian.dayu.rollout.Harness.node;
import static io.feitian.dayu.rollout.Harness.strategy;
import static io.feitian.dayu.rollout.Harness.webNodes;
import static io.feitian.dayu.rollout.Harness.where;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RolloutTest {
  private static final Map<String, String> BOTH_1_1 = Map.of("a", "1.1.0", "b", "1.1.0");

  private static Harness upgrade(int nodes, Strategy s) {
    return new Harness(new RolloutRequest(Kind.UPGRADE, BOTH_1_1, Set.of(), s), webNodes(nodes));
  }

  @Test
  void batchesWaitForTheMinimumHealthyTimeAndModulesGoInDependencyOrder() {
    Harness h = upgrade(2, strategy(1, 1, 1_000, 0, true, false));
    List<Action> first = h.tick(0);
    assertThat(where(first)).containsExactly("n1:a@1.1.0");
    assertThat(applies(first).get(0).steps()).hasSize(6);
    assertThat(where(h.finish(applies(first).get(0)))).isEmpty();
    assertThat(where(h.tick(999))).as("healthy for 999 ms only").isEmpty();
    assertThat(where(h.tick(1_000))).containsExactly("n2:a@1.1.0");
    h.finish(applies(h.log).get(1));
    List<Action> b = h.tick(2_000);
    assertThat(where(b)).as("b starts once a is done everywhere").containsExactly("n1:b@1.1.0");
    h.finish(applies(b).get(0));
    h.finish(applies(h.tick(3_000)).get(0));
    assertThat(h.tick(4_000)).containsExactly(new Action.Finished(Status.SUCCEEDED, ""));
    assertThat(h.rollout.state().nodes().get("n2").versions()).isEqualTo(BOTH_1_1);
  }

  @Test
  void neverMoreUnavailableThanAllowed() {
    Harness h = upgrade(5, strategy(5, 2, 0, 0, true, false));
    assertThat(where(h.tick(0))).containsExactly("n1:a@1.1.0", "n2:a@1.1.0");
    h.record(h.rollout.nodeDown(1, "n5"));
    assertThat(where(h.finish(applies(h.log).get(0)))).as("n2 in its task and n5 down: no slot left").isEmpty();
    assertThat(where(h.finish(applies(h.log).get(1)))).containsExactly("n3:a@1.1.0");
  }

  @Test
  void aFailureStopsTheRolloutAndRollsBackTheTouchedNodes() {
    Harness h = upgrade(3, strategy(2, 2, 0, 0, true, false));
    List<Action.Apply> batch = applies(h.tick(0));
    h.finish(batch.get(0));
    List<Action> after = h.fail(batch.get(1));
    assertThat(where(after)).containsExactlyInAnyOrder("n1:a@1.0.0", "n2:a@1.0.0");
    assertThat(applies(after)).allMatch(a -> a.purpose() == Task.Purpose.ROLLBACK);
    for (Action.Apply a : applies(after)) {
      h.finish(a);
    }
    assertThat(h.rollout.status()).isEqualTo(Status.ROLLED_BACK);
    assertThat(where(h.log)).doesNotContain("n3:a@1.1.0");
    assertThat(h.rollout.state().nodes().values()).allMatch(n -> n.versions().get("a").equals("1.0.0"));
  }

  @Test
  void manualRollbackWaitsForTheOperator() {
    Harness h = upgrade(2, strategy(1, 1, 0, 0, false, false));
    List<Action> failed = h.fail(applies(h.tick(0)).get(0));
    assertThat(failed).containsExactly(new Action.Finished(Status.FAILED,
        "1 failed node(s), more than the threshold of 0"));
    assertThat(where(h.tick(10))).isEmpty();
    assertThat(where(h.record(h.rollout.rollback(20)))).containsExactly("n1:a@1.0.0");
  }

  @Test
  void failuresWithinTheThresholdAreTolerated() {
    Harness h = upgrade(3, strategy(1, 2, 0, 1, true, false));
    List<Action.Apply> next = applies(h.fail(applies(h.tick(0)).get(0)));
    assertThat(where(next)).as("n1 failed, within the threshold of 1").containsExactly("n2:a@1.1.0");
    h.fail(next.get(0));
    assertThat(h.rollout.status()).isEqualTo(Status.ROLLING_BACK);
  }

  @Test
  void aCanaryFailureStopsDespiteTheThreshold() {
    Strategy s = new Strategy(List.of(new Amount(50, true)), new Amount(1, false), 0, Map.of(), new Amount(4, false), 3,
        false, false, 60_000);
    Harness h = upgrade(4, s);
    List<Action.Apply> canary = applies(h.tick(0));
    assertThat(where(canary)).containsExactly("n1:a@1.1.0");
    assertThat(h.fail(canary.get(0))).singleElement().isInstanceOf(Action.Finished.class);
  }

  @Test
  void rampingBatches() {
    Strategy s = new Strategy(List.of(new Amount(1, false), new Amount(50, true)), null, 0, Map.of(),
        new Amount(10, false), 0, true, false, 60_000);
    Harness h = upgrade(6, s);
    h.tick(0);
    assertThat(h.rollout.state().phases().get(0).batches())
        .containsExactly(List.of("n1"), List.of("n2", "n3", "n4"), List.of("n5", "n6"));
  }

  @Test
  void interactiveWaitsForApprovalBeforeEachBatch() {
    Harness h = upgrade(2, strategy(1, 1, 0, 0, true, true));
    assertThat(h.tick(0)).containsExactly(new Action.AwaitApproval("a", 0, List.of("n1")));
    assertThat(h.tick(1)).as("announced once").isEmpty();
    assertThat(where(h.record(h.rollout.approveNextBatch(2)))).containsExactly("n1:a@1.1.0");
    assertThat(h.finish(applies(h.log).get(0))).containsExactly(new Action.AwaitApproval("a", 1, List.of("n2")));
    assertThatThrownBy(() -> upgrade(1, strategy(1, 1, 0, 0, true, false)).rollout.approveNextBatch(0))
        .isInstanceOf(IllegalStateException.class).hasMessage("no batch awaits approval");
  }

  @Test
  void pauseHoldsNewTasksAndResumeGoesOn() {
    Harness h = upgrade(2, strategy(1, 1, 0, 0, true, false));
    Action.Apply first = applies(h.tick(0)).get(0);
    h.record(h.rollout.pause(1));
    assertThat(where(h.finish(first))).isEmpty();
    assertThat(where(h.record(h.rollout.resume(2)))).containsExactly("n2:a@1.1.0");
  }

  @Test
  void aNodeAwayIsRepairedWhenItReturnsEvenAfterTheEnd() {
    List<NodeView> cluster = List.of(webNodes(2).get(0), webNodes(2).get(1).withUp(false));
    Harness h = new Harness(new RolloutRequest(Kind.UPGRADE, Map.of("a", "1.1.0"), Set.of(),
        strategy(1, 2, 0, 0, true, false)), cluster);
    assertThat(h.finish(applies(h.tick(0)).get(0))).contains(new Action.Finished(Status.SUCCEEDED, ""));
    List<Action.Apply> repair = applies(h.record(h.rollout.nodeUp(2, "n2")));
    assertThat(where(repair)).containsExactly("n2:a@1.1.0");
    h.finish(repair.get(0));
    assertThat(h.rollout.state().nodes().get("n2").versions().get("a")).isEqualTo("1.1.0");
  }

  @Test
  void aNodeLeavingMidTaskResumesFromItsLastStep() {
    Harness h = upgrade(2, strategy(1, 2, 0, 0, true, false));
    Action.Apply a = applies(h.tick(0)).get(0);
    h.rollout.stepDone(0, "n1", "a", "1.1.0", 0);
    h.rollout.stepDone(0, "n1", "a", "1.1.0", 1);
    assertThat(where(h.record(h.rollout.nodeDown(1, "n1")))).as("n1 is deferred; n2 may go").containsExactly("n2:a@1.1.0");
    h.finish(applies(h.log).get(1));
    List<Action.Apply> resumed = applies(h.record(h.rollout.nodeUp(2, "n1")));
    assertThat(resumed).singleElement().satisfies(r -> {
      assertThat(r.node()).isEqualTo("n1");
      assertThat(r.firstStep()).isEqualTo(2);
    });
    assertThat(a.firstStep()).isZero();
  }

  @Test
  void anUnhealthyReportDuringTheHealthyWaitFailsTheNode() {
    Harness h = upgrade(2, strategy(1, 1, 5_000, 0, true, false));
    h.finish(applies(h.tick(0)).get(0));
    List<Action> after = h.record(h.rollout.health(1_000, "n1", "a", false, "grpc NOT_SERVING"));
    assertThat(where(after)).containsExactly("n1:a@1.0.0");
    assertThat(h.rollout.state().reason()).contains("threshold");
  }

  @Test
  void aSilentTaskTimesOut() {
    Harness h = upgrade(1, strategy(1, 1, 0, 0, false, false));
    h.tick(0);
    assertThat(h.tick(60_001)).singleElement().isInstanceOf(Action.Finished.class);
    assertThat(h.rollout.state().tasks().get("n1/a/FORWARD").detail()).contains("no step reported");
  }

  @Test
  void aRestoredRolloutContinuesWithoutRedoingSteps() {
    Harness h = upgrade(2, strategy(1, 1, 0, 0, true, false));
    h.tick(0);
    h.rollout.stepDone(0, "n1", "a", "1.1.0", 0);
    Rollout restored = Rollout.restore(h.rollout.state(), Harness.CATALOG);
    List<Action.Apply> again = applies(restored.reissue(5));
    assertThat(again).singleElement().satisfies(a -> assertThat(a.firstStep()).isEqualTo(1));
    assertThat(restored.state()).isEqualTo(h.rollout.state());
  }

  @Test
  void scaleInRemovesDependentsFirstAndKeepsARolesLastNode() {
    List<NodeView> cluster = List.of(node("n1", Set.of("web"), Map.of("a", "1.0.0", "b", "1.0.0")),
        node("n2", Set.of("web", "api"), Map.of("a", "1.0.0", "b", "1.0.0")));
    assertThatThrownBy(() -> Rollout.plan(new RolloutRequest(Kind.SCALE_IN, Map.of(), Set.of("n2"),
        Strategy.defaults()), cluster, Harness.CATALOG)).hasMessage("nodes: scale-in would remove the last node of role api");
    Harness h = new Harness(new RolloutRequest(Kind.SCALE_IN, Map.of(), Set.of("n1"), Strategy.defaults()), cluster);
    List<Action.Apply> first = applies(h.tick(0));
    assertThat(where(first)).containsExactly("n1:b@");
    assertThat(first.get(0).steps()).extracting(s -> s.kind().word()).containsExactly("stop");
  }

  @Test
  void scaleOutBringsOnlyTheNewNodesToTheClustersVersions() {
    List<NodeView> cluster = List.of(node("n1", Set.of("web"), Map.of("a", "1.1.0", "b", "1.1.0")),
        node("n2", Set.of("api"), Map.of()));
    Harness h = new Harness(new RolloutRequest(Kind.SCALE_OUT, BOTH_1_1, Set.of("n2"), strategy(1, 1, 0, 0, true, false)),
        cluster);
    List<Action.Apply> first = applies(h.tick(0));
    assertThat(where(first)).as("a runs on web nodes only").containsExactly("n2:b@1.1.0");
    assertThat(first.get(0).fromVersion()).isEmpty();
    assertThat(first.get(0).steps().get(0).kind().word()).isEqualTo("fetch");
  }

  @Test
  void refusesUnsatisfiedDependenciesAndUnknownVersions() {
    assertThatThrownBy(() -> new Harness(new RolloutRequest(Kind.UPGRADE, Map.of("b", "1.1.0"), Set.of(),
        Strategy.defaults()), webNodes(1))).hasMessage("b 1.1.0 depends on a >= 1.1.0, not satisfied by a 1.0.0");
    assertThatThrownBy(() -> new Harness(new RolloutRequest(Kind.UPGRADE, Map.of("a", "2.0.0"), Set.of(),
        Strategy.defaults()), webNodes(1))).hasMessage("a 2.0.0 is not published (no descriptor)");
  }
}
