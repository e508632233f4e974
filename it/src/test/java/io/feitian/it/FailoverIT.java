package io.feitian.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.client.AppMasterSession;
import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.AppState;
import io.feitian.proto.fuxi.v1.ClusterStatus;
import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.fuxi.v1.LocalityLevel;
import io.feitian.proto.fuxi.v1.NodeState;
import io.feitian.proto.fuxi.v1.NodeStatus;
import io.feitian.proto.fuxi.v1.RevokeReason;
import io.feitian.testkit.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuxi core with real processes: nodes join and are lost, and a kill -9 of
 * the leader while an application holds grants loses nothing.
 */
class FailoverIT {
  @TempDir
  Path dir;

  /** Records what the session hears. */
  static final class Recorder implements AppMasterSession.Listener {
    final List<Grant> granted = new CopyOnWriteArrayList<>();
    final List<Long> revoked = new CopyOnWriteArrayList<>();
    final List<RevokeReason> reasons = new CopyOnWriteArrayList<>();

    @Override
    public void granted(List<Grant> grants) {
      granted.addAll(grants);
    }

    @Override
    public void revoked(List<Long> ids, RevokeReason reason, String detail) {
      revoked.addAll(ids);
      reasons.add(reason);
    }
  }

  @Test
  void leaderKilledWhileAnApplicationHoldsGrantsLosesNothing() throws Exception {
    try (TestCluster c = new TestCluster(dir)) {
      c.startMaster();
      c.startMaster();
      c.startWorker("node-a", "r1");
      c.startWorker("node-b", "r2");
      ClusterStatus before = c.awaitAliveNodes(2);
      await().atMost(Duration.ofSeconds(20)).until(() -> c.status().getMastersCount() == 2);

      String appId = Apps.submitSleeping(c);
      await().atMost(Duration.ofSeconds(20)).until(() -> Apps.get(c, appId).getState() == AppState.APP_STATE_RUNNING);
      AppInfo appBefore = Apps.get(c, appId);

      Recorder rec = new Recorder();
      try (AppMasterSession session = new AppMasterSession(c.client(), appId, rec)) {
        session.start();
        session.request("w", Apps.WORKER_SHAPE, 1, LocalityLevel.LOCALITY_LEVEL_CLUSTER, "", 3, false);
        await().atMost(Duration.ofSeconds(10)).until(() -> session.grants().size() == 3);
        List<Long> grantIds = session.grants().stream().map(Grant::getGrantId).sorted().toList();
        List<Long> pids = new ArrayList<>();
        for (Grant g : session.grants()) {
          pids.add(Apps.launchSleep(c, g).getPid());
        }
        long oldEpoch = session.epoch();
        assertThat(oldEpoch).isEqualTo(before.getEpoch());

        String leader = c.leaderName();
        ChildJvm.kill9(c.masters.get(leader));

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
            .until(() -> session.epoch() > oldEpoch);
        ClusterStatus after = c.awaitAliveNodes(2);
        assertThat(after.getEpoch()).isGreaterThan(oldEpoch);
        assertThat(session.grants().stream().map(Grant::getGrantId).sorted().toList()).isEqualTo(grantIds);
        assertThat(rec.revoked).isEmpty();
        for (long pid : pids) {
          assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("worker %d survives", pid).contains(true);
        }
        // The child master was adopted, not restarted.
        AppInfo appAfter = Apps.get(c, appId);
        assertThat(appAfter.getMasterWorkerId()).isEqualTo(appBefore.getMasterWorkerId());
        assertThat(appAfter.getMasterRestarts()).isZero();
        assertThat(appAfter.getGrants()).isEqualTo(4); // 3 workers + the master's own
        // Free resources agree with the grants held: nothing was double-booked.
        long usedCpu = after.getNodesList().stream().mapToLong(n -> n.getTotal().getCpuMillis() - n.getFree().getCpuMillis()).sum();
        assertThat(usedCpu).isEqualTo(3 * 500 + 100);

        // New requests are served by the new leader, with ids of its epoch.
        session.request("w", Apps.WORKER_SHAPE, 1, LocalityLevel.LOCALITY_LEVEL_CLUSTER, "", 1, false);
        await().atMost(Duration.ofSeconds(10)).until(() -> session.grants().size() == 4);
        Grant fresh = session.grants().stream().filter(g -> !grantIds.contains(g.getGrantId())).findFirst().orElseThrow();
        assertThat(fresh.getGrantId() >>> 40).isEqualTo(session.epoch());
      }
    }
  }

  @Test
  void nodesJoinAndALostNodesGrantsAreRevoked() throws Exception {
    try (TestCluster c = new TestCluster(dir)) {
      c.startMaster();
      c.startWorker("node-a", "r1");
      c.awaitAliveNodes(1);
      Process nodeB = c.startWorker("node-b", "r1");
      ClusterStatus joined = c.awaitAliveNodes(2);
      NodeStatus b = joined.getNodesList().stream().filter(n -> n.getNodeId().equals("node-b")).findFirst().orElseThrow();
      assertThat(b.getTotal().getCpuMillis()).isEqualTo(4000);
      assertThat(b.getRack()).isEqualTo("r1");

      String appId = Apps.submitSleeping(c);
      Recorder rec = new Recorder();
      try (AppMasterSession session = new AppMasterSession(c.client(), appId, rec)) {
        session.start();
        session.request("w", Apps.WORKER_SHAPE, 1, LocalityLevel.LOCALITY_LEVEL_MACHINE, "node-b", 2, false);
        await().atMost(Duration.ofSeconds(10)).until(() -> session.grants().size() == 2);
        assertThat(session.grants()).allMatch(g -> g.getNodeId().equals("node-b"));

        ChildJvm.kill9(nodeB);
        await().atMost(Duration.ofSeconds(15)).until(() -> c.status().getNodesList().stream()
            .anyMatch(n -> n.getNodeId().equals("node-b") && n.getState() == NodeState.NODE_STATE_LOST));
        await().atMost(Duration.ofSeconds(5)).until(() -> rec.revoked.size() == 2);
        assertThat(rec.reasons).contains(RevokeReason.REVOKE_REASON_NODE_LOST);
        assertThat(session.grants()).isEmpty();
      }
    }
  }


  /**
   * During a failover `feitian cluster status` answers from whichever master answers and says a failover is
   * under way: first a standby (the dead leader's ZooKeeper session not yet expired), then the new leader in its
   * recovery window (20 s here, so that every answer until the node is back falls inside the failover).
   */
  @Test
  void clusterStatusAnswersThroughoutAFailoverAndSaysSo() throws Exception {
    try (TestCluster c = new TestCluster(dir)) {
      c.startMaster("--set", "fuxi.master.recovery-window=20s");
      c.startMaster("--set", "fuxi.master.recovery-window=20s");
      c.startWorker("node-a", "r1");
      await().atMost(Duration.ofSeconds(40)).until(() -> !c.status().getRecovering());
      ClusterStatus before = c.awaitAliveNodes(1);
      await().atMost(Duration.ofSeconds(20)).until(() -> c.status().getMastersCount() == 2);
      ChildJvm.kill9(c.masters.get(c.leaderName()));

      String[] status = {"cluster", "status", "--cluster=zk://" + c.zk.getConnectString(), "--cluster-name=it"};
      List<String> answers = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
        CliIT.Run run = CliIT.cli(status);
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).as("every answer during the failover says so").contains("failover in progress");
        answers.add(run.out());
        return run.out().contains("epoch " + (before.getEpoch() + 1)) && run.out().contains("node-a");
      });
      System.out.println(answers.size() + " answers during the failover; the last:\n" + answers.get(answers.size() - 1));
      assertThat(answers.get(answers.size() - 1)).contains("nodes are re-registering (1 so far)");
    }
  }

  @Test
  void aLeaderStoppedWithSigtermHandsOverWithoutWaitingForItsSession() throws Exception {
    try (TestCluster c = new TestCluster(dir)) {
      c.startMaster();
      c.startMaster();
      c.startWorker("node-a", "r1");
      ClusterStatus before = c.awaitAliveNodes(1);
      await().atMost(Duration.ofSeconds(20)).until(() -> c.status().getMastersCount() == 2);
      Process leader = c.masters.get(c.leaderName());

      leader.destroy(); // SIGTERM
      assertThat(leader.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)).as("leader exits on SIGTERM").isTrue();
      ClusterStatus after = c.awaitAliveNodes(1);
      assertThat(after.getEpoch()).isGreaterThan(before.getEpoch());
      assertThat(after.getMastersCount()).isEqualTo(1);
      assertThat(c.log(c.leaderName())).contains("leading as");
      assertThat(c.log(c.masters.entrySet().stream().filter(e -> e.getValue() == leader).findFirst().orElseThrow().getKey()))
          .contains("fuxi-master stopping");
    }
  }

  @Test
  void relaxedDemandIsAccountedExactlyAcrossAFailover() throws Exception {
    try (TestCluster c = new TestCluster(dir)) {
      c.startMaster();
      c.startMaster();
      c.startWorker("node-a", "r1");
      c.startWorker("node-b", "r1");
      c.awaitAliveNodes(2);
      await().atMost(Duration.ofSeconds(20)).until(() -> c.status().getMastersCount() == 2);
      String appId = Apps.submitSleeping(c);
      Recorder rec = new Recorder();
      try (AppMasterSession session = new AppMasterSession(c.client(), appId, rec)) {
        session.start();
        // Two units of 3 cores wanted on node-a (4 cores): one fits there, the other is relaxed to the rack.
        io.feitian.proto.common.v1.Resources big = io.feitian.proto.common.v1.Resources.newBuilder()
            .setCpuMillis(3000).setMemoryMib(256).build();
        session.request("big", big, 1, LocalityLevel.LOCALITY_LEVEL_MACHINE, "node-a", 2, true);
        await().atMost(Duration.ofSeconds(10)).until(() -> session.grants().size() == 2);
        assertThat(session.grants()).extracting(Grant::getNodeId).containsExactlyInAnyOrder("node-a", "node-b");
        assertThat(session.grants()).allMatch(g -> g.getRequestedLevel() == LocalityLevel.LOCALITY_LEVEL_MACHINE
            && g.getRequestedTarget().equals("node-a"));
        assertThat(session.outstandingUnits()).isZero();

        long oldEpoch = session.epoch();
        ChildJvm.kill9(c.masters.get(c.leaderName()));
        await().atMost(Duration.ofSeconds(20)).until(() -> session.epoch() > oldEpoch);
        // The re-attached session asked for nothing more: no extra grant arrives, none is lost.
        c.awaitAliveNodes(2);
        assertThat(c.status().getPendingUnits()).isZero();
        assertThat(session.grants()).hasSize(2);
        assertThat(rec.granted).hasSize(2);
      }
    }
  }
}
