package io.feitian.client.cli.dayu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.testkit.SimAgent;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rollout commands run in this JVM (not a terminal: automated, plain {@code 3/6} steps) against
 * a real dayu-server whose nodes' agents speak the real protocol ({@link RolloutCluster}).
 */
class RolloutCliTest {
  @TempDir
  Path dir;
  private RolloutCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private List<SimAgent> nodes(String... hosts) {
    return List.of(hosts).stream().map(h -> cluster.node(h, Map.of())).toList();
  }

  @Test
  void deployWithWaitFollowsBatchByBatchToTheEnd() throws Exception {
    cluster = new RolloutCluster(dir);
    List<SimAgent> agents = nodes("n1", "n2", "n3", "n4");

    String out = cluster.ok("deploy", "-c", "prod", "app=1.0.0", "--batch", "2", "--min-healthy", "0s", "--wait");

    // The plan first: the first batch under way, the second waiting with its hosts.
    assertThat(out).startsWith("rollout 1 of prod: DEPLOY app=1.0.0\nstate:    RUNNING\n")
        .contains("app to 1.0.0 on 4 node(s)").containsPattern("batch 2/2\\s+waiting\\s+n3, n4");
    // Then progress, a line per change, and the batch that starts.
    assertThat(out).contains("batch 2 of app started: n3, n4\n")
        .containsPattern("\n  n4  app none -> 1.0.0  (RUNNING  \\d/6|SUCCEEDED  6/6)\n")
        .contains("rollout 1: SUCCEEDED\n");
    // Then the rollout as it ended.
    String end = out.substring(out.lastIndexOf("rollout 1 of prod"));
    assertThat(end).contains("state:    SUCCEEDED\n").containsPattern("batch 1/2\\s+SUCCEEDED\\s+12/12")
        .containsPattern("n3\\s+none -> 1.0.0\\s+SUCCEEDED\\s+6/6");
    assertThat(agents).allSatisfy(a -> assertThat(a.installed()).containsEntry("app", "1.0.0"));
    cluster.noStepRanTwice();

    // status: the cluster's newest by default, or by id; plain counts (not a terminal); JSON.
    String status = cluster.ok("status", "-c", "prod");
    assertThat(status).isEqualTo(cluster.ok("status", "1")).doesNotContain("[#");
    assertThat(status).containsPattern("batch 2/2\\s+SUCCEEDED\\s+12/12");
    assertThat(cluster.ok("status", "1", "--json")).contains("\"state\": \"SUCCEEDED\"", "\"stepsDone\": 6",
        "\"hosts\": [\"n3\", \"n4\"]");

    cluster.ok("upgrade", "-c", "prod", "app=2.0.0", "--batch", "100%", "--min-healthy", "0s", "--wait");
    String history = cluster.ok("history", "-c", "prod");
    assertThat(history.lines().skip(1).toList()).satisfiesExactly(
        l -> assertThat(l).matches("2\\s+UPGRADE\\s+SUCCEEDED\\s+app=2\\.0\\.0\\s+all\\s+\\S+Z\\s+anonymous"),
        l -> assertThat(l).matches("1\\s+DEPLOY\\s+SUCCEEDED\\s+app=1\\.0\\.0\\s+all\\s+\\S+Z\\s+anonymous"));
  }

  @Test
  void aFailedUpgradeIsRolledBackAndWaitExitsNonZero() throws Exception {
    cluster = new RolloutCluster(dir);
    for (String h : List.of("n1", "n2", "n3")) {
      cluster.node(h, Map.of("app", "1.0.0"));
    }
    cluster.agents().get(1).failAt("app", "2.0.0", 2);

    CliRun r = cluster.dayu("upgrade", "-c", "prod", "app=2.0.0", "--batch", "1", "--min-healthy", "0s", "--wait");

    assertThat(r.exit()).as("stderr: %s", r.err()).isEqualTo(1);
    assertThat(r.err()).isEmpty();
    // The rollback is quick: polls may see ROLLING_BACK or only its end.
    assertThat(r.out()).containsPattern("rollout 1: ROLL(ING|ED)_BACK: 1 failed node\\(s\\), more than the threshold"
        + " of 0\n");
    String end = r.out().substring(r.out().lastIndexOf("rollout 1 of prod"));
    assertThat(end).contains("state:    ROLLED_BACK: 1 failed node(s), more than the threshold of 0")
        .containsPattern("n1\\s+rollback 2\\.0\\.0 -> 1\\.0\\.0\\s+SUCCEEDED")
        .containsPattern("n2\\s+1\\.0\\.0 -> 2\\.0\\.0\\s+ROLLED_BACK\\s+2/6\\s+rolled back after: step 2 failed:"
            + " step 2 failed on purpose")
        .containsPattern("batch 3/3\\s+not run\\s+n3");
    assertThat(cluster.agents()).allSatisfy(a -> assertThat(a.installed()).containsEntry("app", "1.0.0"));
    assertThat(cluster.agents().get(2).ran()).as("n3, after the failed batch").isEmpty();
    cluster.noStepRanTwice();
  }

  @Test
  void theOperatorsVerbsOnARunningRollout() throws Exception {
    cluster = new RolloutCluster(dir);
    List<SimAgent> agents = nodes("n1", "n2");
    CountDownLatch hold = agents.get(0).holdAt("app", "1.0.0", 1);

    String started = cluster.ok("deploy", "-c", "prod", "app=1.0.0", "--min-healthy", "0s");
    assertThat(started).startsWith("rollout 1 of prod: DEPLOY app=1.0.0\nstate:    RUNNING\n")
        .containsPattern("batch 1/2\\s+RUNNING\\s+0/6").containsPattern("n1\\s+none -> 1.0.0\\s+RUNNING\\s+0/6");
    await().atMost(RolloutCluster.DEADLINE).until(() -> cluster.ok("status", "1").contains("1/6"));

    assertThat(cluster.ok("pause", "1")).isEqualTo("rollout 1: RUNNING, paused\n");
    assertThat(cluster.ok("resume", "1")).isEqualTo("rollout 1: RUNNING\n");
    cluster.dayu("resume", "1").fails(1, "feitian: FAILED_PRECONDITION: the rollout is not paused");
    cluster.dayu("approve", "1").fails(1, "feitian: FAILED_PRECONDITION: no batch awaits approval");
    assertThat(cluster.ok("abort", "1")).isEqualTo("rollout 1: ABORTED: aborted by the operator\n");
    hold.countDown();

    // rollback ID: every node the rollout touched back to what it ran (here: nothing).
    String back = cluster.ok("rollback", "1", "--wait");
    assertThat(back).contains("state:    ROLLED_BACK").containsPattern("n1\\s+rollback 1.0.0 -> none\\s+SUCCEEDED");
    assertThat(agents.get(0).installed()).isEmpty();
    assertThat(agents.get(1).ran()).as("n2 was in the second batch").isEmpty();

    // rollback --to: a new rollout, of kind ROLLBACK.
    cluster.ok("deploy", "-c", "prod", "app=2.0.0", "--batch", "2", "--min-healthy", "0s", "--wait");
    assertThat(cluster.ok("rollback", "-c", "prod", "--to", "app=1.0.0", "--batch", "2", "--min-healthy", "0s",
        "--wait")).contains("rollout 3 of prod: ROLLBACK app=1.0.0\n", "state:    SUCCEEDED");
    assertThat(agents).allSatisfy(a -> assertThat(a.installed()).containsEntry("app", "1.0.0"));
    cluster.noStepRanTwice();
  }

  @Test
  void scaleOutAndScaleIn() throws Exception {
    cluster = new RolloutCluster(dir);
    nodes("n1", "n2");
    cluster.ok("deploy", "-c", "prod", "app=1.0.0", "--batch", "2", "--min-healthy", "0s", "--wait");
    SimAgent n3 = cluster.node("n3", Map.of());

    // Without targets: the versions the cluster runs.
    assertThat(cluster.ok("scale-out", "-c", "prod", "--node", "n3", "--min-healthy", "0s", "--wait"))
        .contains("rollout 2 of prod: SCALE_OUT app=1.0.0 on n3\n", "state:    SUCCEEDED");
    assertThat(n3.installed()).containsEntry("app", "1.0.0");

    assertThat(cluster.ok("scale-in", "-c", "prod", "--node", "n3", "--min-healthy", "0s", "--wait"))
        .contains("rollout 3 of prod: SCALE_IN on n3\n", "app removed on 1 node(s)", "state:    SUCCEEDED")
        .containsPattern("n3\\s+1.0.0 -> none\\s+SUCCEEDED");
    assertThat(n3.installed()).isEmpty();
    // The scale-in succeeded: n3 is no longer a node of the cluster.
    assertThat(cluster.ok("node", "list", "-c", "prod")).contains("n1", "n2").doesNotContain("n3");
    cluster.dayu("scale-in", "-c", "prod", "--node", "n3").fails(1,
        "feitian: INVALID_ARGUMENT: nodes: no node n3 in the cluster");
    cluster.dayu("scale-in", "-c", "prod", "--node", "n1", "--node", "n2").fails(1,
        "feitian: INVALID_ARGUMENT: nodes: scale-in would remove the last node of role worker");
  }

  @Test
  void refusals() throws Exception {
    cluster = new RolloutCluster(dir);
    nodes("n1");
    // Usage errors: exit code 2.
    cluster.dayu("deploy", "-c", "prod", "app").fails(2, "feitian: 'app' is not MODULE=VERSION");
    cluster.dayu("deploy", "-c", "prod", "app=1.0.0", "app=2.0.0").fails(2, "feitian: app is given twice");
    cluster.dayu("deploy", "app=1.0.0").fails(2, "feitian: --cluster is required");
    assertThat(cluster.dayu("deploy", "-c", "prod", "app=1.0.0", "--min-healthy", "soon").exit()).isEqualTo(2);
    assertThat(cluster.dayu("scale-out", "-c", "prod").exit()).as("--node missing").isEqualTo(2);
    cluster.dayu("rollback", "-c", "prod").fails(2, "feitian: give a rollout ID to roll back");
    cluster.dayu("rollback", "1", "--to", "app=1.0.0").fails(2, "feitian: give a rollout ID to roll back");
    cluster.dayu("rollback", "1", "--batch", "2").fails(2, "feitian: strategy options are for rollback --to");
    // Refused by the server: exit code 1, nothing started.
    cluster.dayu("deploy", "-c", "prod", "app=9.9.9").fails(1, "feitian: INVALID_ARGUMENT: ");
    cluster.dayu("deploy", "-c", "prod", "app=1.0.0", "--batch", "0%").fails(1,
        "feitian: INVALID_ARGUMENT: strategy.batches[0] must be at least 1");
    cluster.dayu("deploy", "-c", "nowhere", "app=1.0.0").fails(1, "feitian: NOT_FOUND: cluster");
    cluster.dayu("status", "-c", "prod").fails(1, "feitian: cluster prod has no rollout yet");
    cluster.dayu("pause", "42").fails(1, "feitian: NOT_FOUND: id: no rollout 42");
    assertThat(cluster.ok("history", "-c", "prod")).endsWith("(none)\n");
  }
}
