package io.feitian.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.client.AppMasterSession;
import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.AppState;
import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.fuxi.v1.KillAppRequest;
import io.feitian.proto.fuxi.v1.LocalityLevel;
import io.feitian.proto.fuxi.v1.NodeState;
import io.feitian.proto.fuxi.v1.NodeStatus;
import io.feitian.proto.fuxi.v1.WorkerInfo;
import io.feitian.proto.fuxi.v1.WorkerState;
import io.feitian.testkit.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** task-worker restarts, child master supervision, and killing an application, with real processes. */
class NodeLifecycleIT {
  @TempDir
  Path dir;

  private static NodeStatus node(TestCluster c, String id) {
    return c.status().getNodesList().stream().filter(n -> n.getNodeId().equals(id)).findFirst().orElseThrow();
  }

  /**
   * A node whose task-worker is silent past the node timeout is lost, and its work is killed when it comes back
   * (see the last test). A restarted task-worker (a new JVM: seconds on a loaded machine) must come back within
   * the timeout, so this cluster's is the production default (6 s) rather than the suite's 3 s.
   */
  @Test
  void aRestartedTaskWorkerFindsItsWorkersAndKeepsItsGrants() throws Exception {
    try (TestCluster c = new TestCluster(dir)) {
      c.startMaster("--set", "fuxi.master.node-timeout=6s");
      Process worker = c.startWorker("node-a", "r1");
      c.awaitAliveNodes(1);
      String appId = Apps.submitSleeping(c);
      FailoverIT.Recorder rec = new FailoverIT.Recorder();
      try (AppMasterSession session = new AppMasterSession(c.client(), appId, rec)) {
        session.start();
        session.request("w", Apps.WORKER_SHAPE, 1, LocalityLevel.LOCALITY_LEVEL_CLUSTER, "", 2, false);
        await().atMost(Duration.ofSeconds(10)).until(() -> session.grants().size() == 2);
        List<Long> pids = session.grants().stream().map(g -> Apps.launchSleep(c, g).getPid()).toList();
        String address = session.grants().get(0).getNodeAddress();
        // The application's own master runs too, so the restart must keep it as well.
        await().atMost(Duration.ofSeconds(10)).until(() -> Apps.get(c, appId).getState() == AppState.APP_STATE_RUNNING);

        ChildJvm.kill9(worker);
        for (long pid : pids) {
          assertThat(Apps.alive(pid)).as("worker %d outlives its task-worker", pid).isTrue();
        }
        c.startWorker("node-a", "r1");
        // The new incarnation listens on a new port; once re-registered it reports the adopted workers.
        await().atMost(Duration.ofSeconds(15)).until(() -> {
          NodeStatus n = node(c, "node-a");
          return n.getState() == NodeState.NODE_STATE_ALIVE && !n.getAddress().equals(address) && n.getWorkers() >= 3;
        });
        NodeStatus n = node(c, "node-a");
        List<WorkerInfo> running = Apps.workers(c, n.getAddress(), appId).stream()
            .filter(w -> w.getState() == WorkerState.WORKER_STATE_RUNNING).toList();
        assertThat(running).extracting(WorkerInfo::getPid).containsAll(pids);
        assertThat(session.grants()).hasSize(2);
        assertThat(rec.revoked).isEmpty();
        assertThat(n.getGrants()).isEqualTo(3); // two workers and the application's master
        assertThat(Apps.get(c, appId).getMasterRestarts()).isZero();
      }
    }
  }

  @Test
  void aMasterLaunchThatCannotReachItsNodeIsRetriedNotCountedAsARestart() throws Exception {
    try (TestCluster c = new TestCluster(dir)) {
      c.startMaster();
      Process worker = c.startWorker("node-a", "r1");
      c.awaitAliveNodes(1);
      // The node's task-worker dies; the leader still counts the node alive (node timeout 3 s), so it grants the
      // new application's master there and its launches find nobody listening until the task-worker is back.
      ChildJvm.kill9(worker);
      String appId = Apps.submitSleeping(c);
      c.startWorker("node-a", "r1");
      await().atMost(Duration.ofSeconds(20)).until(() -> Apps.get(c, appId).getState() == AppState.APP_STATE_RUNNING);
      assertThat(Apps.get(c, appId).getMasterRestarts()).isZero();
    }
  }

  @Test
  void aDyingChildMasterIsRestartedAWhileThenTheApplicationFails() throws Exception {
    try (TestCluster c = new TestCluster(dir)) {
      c.startMaster();
      c.startWorker("node-a", "r1");
      c.awaitAliveNodes(1);
      String appId = Apps.submit(c, Apps.spec("crashy", "sh", "-c", "sleep 0.2; exit 3").setMaxMasterRestarts(2));
      await().atMost(Duration.ofSeconds(30)).until(() -> Apps.get(c, appId).getState() == AppState.APP_STATE_FAILED);
      AppInfo app = Apps.get(c, appId);
      assertThat(app.getMasterRestarts()).isEqualTo(2);
      assertThat(app.getMessage()).contains("status 3").contains("gave up after 2 restarts");
      // Its grants are all back.
      assertThat(node(c, "node-a").getFree()).isEqualTo(node(c, "node-a").getTotal());
    }
  }

  @Test
  void aMasterExitingCleanlyEndsItsApplication() throws Exception {
    try (TestCluster c = new TestCluster(dir)) {
      c.startMaster();
      c.startWorker("node-a", "r1");
      c.awaitAliveNodes(1);
      String appId = Apps.submit(c, Apps.spec("oneshot", "sh", "-c", "sleep 0.5"));
      await().atMost(Duration.ofSeconds(20)).until(() -> Apps.get(c, appId).getState() == AppState.APP_STATE_SUCCEEDED);
      assertThat(Apps.get(c, appId).getEndedAtMs()).isPositive();
    }
  }

  @Test
  void killingAnApplicationKillsItsWorkersAndReturnsItsResources() throws Exception {
    try (TestCluster c = new TestCluster(dir)) {
      c.startMaster();
      c.startWorker("node-a", "r1");
      c.startWorker("node-b", "r2");
      c.awaitAliveNodes(2);
      String appId = Apps.submitSleeping(c);
      FailoverIT.Recorder rec = new FailoverIT.Recorder();
      try (AppMasterSession session = new AppMasterSession(c.client(), appId, rec)) {
        session.start();
        session.request("w", Apps.WORKER_SHAPE, 1, LocalityLevel.LOCALITY_LEVEL_CLUSTER, "", 4, false);
        await().atMost(Duration.ofSeconds(10)).until(() -> session.grants().size() == 4);
        List<Long> pids = session.grants().stream().map((Grant g) -> Apps.launchSleep(c, g).getPid()).toList();
        await().atMost(Duration.ofSeconds(10)).until(() -> Apps.get(c, appId).getState() == AppState.APP_STATE_RUNNING);
        await().atMost(Duration.ofSeconds(10)).until(() ->
            c.status().getNodesList().stream().mapToInt(NodeStatus::getWorkers).sum() == 5);

        AppInfo killed = c.client().cluster(s -> s.killApp(KillAppRequest.newBuilder().setAppId(appId).build()));
        assertThat(killed.getState()).isEqualTo(AppState.APP_STATE_KILLED);
        await().atMost(Duration.ofSeconds(15)).until(() -> pids.stream().noneMatch(Apps::alive));
        await().atMost(Duration.ofSeconds(10)).until(() -> c.status().getNodesList().stream()
            .allMatch(n -> n.getFree().equals(n.getTotal()) && n.getWorkers() == 0 && n.getGrants() == 0));
      }
    }
  }

  @Test
  void aNodeThatComesBackAfterBeingDeclaredLostHasItsOldWorkersKilled() throws Exception {
    try (TestCluster c = new TestCluster(dir)) {
      c.startMaster();
      c.startWorker("node-a", "r1");
      c.awaitAliveNodes(1);
      // The application's own master runs on node-a: were it on node-b, losing node-b would replace it, and the
      // scheduling stream this test holds in its name would end (superseded) instead of hearing of the revocation.
      String appId = Apps.submitSleeping(c);
      await().atMost(Duration.ofSeconds(20)).until(() -> Apps.get(c, appId).getState() == AppState.APP_STATE_RUNNING);
      Process nodeB = c.startWorker("node-b", "r1");
      c.awaitAliveNodes(2);
      FailoverIT.Recorder rec = new FailoverIT.Recorder();
      try (AppMasterSession session = new AppMasterSession(c.client(), appId, rec)) {
        session.start();
        session.request("w", Apps.WORKER_SHAPE, 1, LocalityLevel.LOCALITY_LEVEL_MACHINE, "node-b", 1, false);
        await().atMost(Duration.ofSeconds(10)).until(() -> session.grants().size() == 1);
        Grant g = session.grants().get(0);
        long pid = Apps.launchSleep(c, g).getPid();

        ChildJvm.signal("STOP", nodeB); // the node hangs: no heartbeats
        try {
          await().atMost(Duration.ofSeconds(15)).until(() -> node(c, "node-b").getState() == NodeState.NODE_STATE_LOST);
          await().atMost(Duration.ofSeconds(5)).until(() -> rec.revoked.contains(g.getGrantId()));
        } finally {
          ChildJvm.signal("CONT", nodeB);
        }
        // Back again: it registers, its revoked grant is not restored, and the worker is killed.
        await().atMost(Duration.ofSeconds(15)).until(() -> node(c, "node-b").getState() == NodeState.NODE_STATE_ALIVE);
        await().atMost(Duration.ofSeconds(15)).until(() -> !Apps.alive(pid));
        assertThat(session.grants()).isEmpty();
        assertThat(c.status().getNodesList().stream().filter(n -> n.getNodeId().equals("node-b")).findFirst()
            .orElseThrow().getGrants()).isLessThanOrEqualTo(1); // at most the application's master
      }
    }
  }
}
