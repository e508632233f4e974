package io.feitian.client.cli.dayu;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.client.cli.dayu.RolloutFollower.Answer;
import io.feitian.proto.dayu.v1.NodeTaskInfo;
import io.feitian.proto.dayu.v1.RolloutBatch;
import io.feitian.proto.dayu.v1.RolloutInfo;
import io.feitian.proto.dayu.v1.RolloutKind;
import io.feitian.proto.dayu.v1.RolloutPhase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How rollouts read: the status view, the changes between polls, the question and its answers. */
class RolloutTextTest {
  /** Upgrading app on n1..n4 in batches of two, then db on n1: batch 1 done on n1, running on n2. */
  private static RolloutInfo.Builder rollout() {
    return RolloutInfo.newBuilder().setId(7).setCluster("prod").setKind(RolloutKind.UPGRADE)
        .putTargets("app", "2.0.0").putTargets("db", "3.0.0").setState("RUNNING").setCreatedBy("alice")
        .addPhases(RolloutPhase.newBuilder().setModule("app").setVersion("2.0.0")
            .addAllNodes(List.of("n1", "n2", "n3", "n4")).setPlanned(true)
            .addBatches(RolloutBatch.newBuilder().addHosts("n1").addHosts("n2"))
            .addBatches(RolloutBatch.newBuilder().addHosts("n3").addHosts("n4")))
        .addPhases(RolloutPhase.newBuilder().setModule("db").setVersion("3.0.0").addNodes("n1"))
        .addTasks(task("n1", "SUCCEEDED", 6, ""))
        .addTasks(task("n2", "RUNNING", 3, ""));
  }

  private static NodeTaskInfo task(String host, String state, int done, String detail) {
    return NodeTaskInfo.newBuilder().setHost(host).setModule("app").setPurpose("FORWARD").setFromVersion("1.0.0")
        .setToVersion("2.0.0").setState(state).setPhase(0).setBatch(0).setStepsDone(done).setStepCount(6)
        .setDetail(detail).build();
  }

  private static String status(RolloutInfo r, boolean bars) {
    StringWriter s = new StringWriter();
    RolloutText.status(new PrintWriter(s, true), r, bars);
    return s.toString();
  }

  @Test
  void theStatusShowsThePlanByBatchAndEachNodesSteps() {
    String plain = status(rollout().build(), false);
    assertThat(plain).startsWith("rollout 7 of prod: UPGRADE app=2.0.0 db=3.0.0\nstate:    RUNNING\n");
    assertThat(plain.substring(plain.indexOf("\napp"))).isEqualTo("""

        app to 2.0.0 on 4 node(s)
          batch 1/2                  1 RUNNING, 1 SUCCEEDED  9/12
            n1       1.0.0 -> 2.0.0  SUCCEEDED               6/6
            n2       1.0.0 -> 2.0.0  RUNNING                 3/6
          batch 2/2                  waiting                       n3, n4

        db to 3.0.0 on 1 node(s)
          batches chosen when it starts: n1
        """);
    assertThat(status(rollout().build(), true))
        .containsPattern("n2\\s+1.0.0 -> 2.0.0\\s+RUNNING\\s+\\[##########\\.{10}\\] 50% 3/6");
  }

  @Test
  void theStateLineSaysWhatWaitsAndWhy() {
    RolloutInfo waiting = rollout().clearTasks().setAwaitingApproval(true).setPaused(true).build();
    assertThat(RolloutText.state(waiting)).isEqualTo("RUNNING, paused, batch 1 of app awaits approval");
    assertThat(RolloutText.question(waiting)).isEqualTo("Start batch 1 of app (n1, n2)? [y/N/a(bort)] ");
    assertThat(status(waiting, false)).containsPattern("batch 1/2\\s+AWAITING APPROVAL\\s+n1, n2\n");
    RolloutInfo failed = rollout().setState("FAILED").setReason("2 failed node(s), more than the threshold of 1")
        .build();
    assertThat(RolloutText.state(failed)).isEqualTo("FAILED: 2 failed node(s), more than the threshold of 1");
    assertThat(RolloutText.ended(failed)).isTrue();
    assertThat(RolloutText.ended(rollout().setState("ROLLING_BACK").build())).isFalse();
    assertThat(status(failed, false)).containsPattern("batch 2/2\\s+not run\\s+n3, n4\n");
  }

  @Test
  void changesBetweenPollsAreALineEach() {
    RolloutInfo before = rollout().build();
    assertThat(RolloutText.changes(before, before, false)).isEmpty();
    RolloutInfo after = rollout().setTasks(1, task("n2", "FAILED", 4, "step 4 failed: exit code 3"))
        .addTasks(task("n3", "RUNNING", 0, "").toBuilder().setBatch(1))
        .setState("ROLLING_BACK").setReason("1 failed node(s), more than the threshold of 0").build();
    assertThat(RolloutText.changes(before, after, false)).containsExactly(
        "  n2  app 1.0.0 -> 2.0.0  FAILED  4/6  step 4 failed: exit code 3",
        "batch 2 of app started: n3, n4",
        "  n3  app 1.0.0 -> 2.0.0  RUNNING  0/6",
        "rollout 7: ROLLING_BACK: 1 failed node(s), more than the threshold of 0");
  }

  @Test
  void answers() {
    assertThat(List.of("y", "Y", " yes ")).allSatisfy(a -> assertThat(Answer.of(a)).isEqualTo(Answer.APPROVE));
    assertThat(List.of("a", "abort", "ABORT")).allSatisfy(a -> assertThat(Answer.of(a)).isEqualTo(Answer.ABORT));
    assertThat(List.of("", "n", "No")).allSatisfy(a -> assertThat(Answer.of(a)).isEqualTo(Answer.LEAVE));
    assertThat(Answer.of(null)).as("end of input").isEqualTo(Answer.LEAVE);
    assertThat(Answer.of("yep")).isEqualTo(Answer.AGAIN);
  }
}
