package io.feitian.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.client.AppMasterSession;
import io.feitian.common.grpc.CallSettings;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.security.TlsSettings;
import io.feitian.dayu.agent.node.FuxiDrainer;
import io.feitian.proto.fuxi.v1.AppState;
import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.fuxi.v1.KillAppRequest;
import io.feitian.proto.fuxi.v1.LocalityLevel;
import io.feitian.proto.fuxi.v1.NodeStatus;
import io.feitian.testkit.ChildJvm;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dayu-agent's drain step against a real fuxi-master and task-workers: the drained node gets no
 * new grants while the other does, the step waits until the node's grants are returned, and the
 * drain outlives a leader failover.
 */
class FuxiDrainIT {
  @TempDir
  Path dir;

  private static NodeStatus node(TestCluster c, String id) {
    return c.status().getNodesList().stream().filter(n -> n.getNodeId().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void theDrainStepWaitsUntilTheNodesGrantsAreReturnedAndNoNewOnesLandThere() throws Exception {
    try (TestCluster c = TestCluster.withNodes(dir, 2)) {
      c.startMaster();
      await().atMost(Duration.ofSeconds(20)).until(() -> c.status().getMastersCount() == 2);
      String appId = Apps.submitSleeping(c);
      await().atMost(Duration.ofSeconds(20)).until(() -> Apps.get(c, appId).getState() == AppState.APP_STATE_RUNNING);
      try (AppMasterSession session = new AppMasterSession(c.client(), appId, new FailoverIT.Recorder())) {
        session.start();
        session.request("w", Apps.WORKER_SHAPE, 1, LocalityLevel.LOCALITY_LEVEL_MACHINE, "tw-1", 1, false);
        await().atMost(Duration.ofSeconds(10)).until(() -> session.grants().size() == 1);
        Grant onTw1 = session.grants().get(0);
        assertThat(onTw1.getNodeId()).isEqualTo("tw-1");

        // The step as dayu-agent runs it for task-worker, from the module's parameters and node.
        FuxiDrainer drainer = new FuxiDrainer("feitian", SecuritySettings.client(TlsSettings.DISABLED,
            Optional.empty()), new CallSettings(Optional.empty(), Duration.ofSeconds(5)), Duration.ofMillis(100),
            Clock.systemUTC());
        Map<String, String> values = Map.of("zookeeper", c.zkConnect(), "cluster-name", "it", "node.id", "tw-1",
            "port", "7200");
        CompletableFuture<String> step = CompletableFuture.supplyAsync(() -> {
          try {
            return drainer.drain("task-worker", values, Duration.ofSeconds(60));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> node(c, "tw-1").getDraining());

        // New work goes to tw-2 only, although tw-1 has room.
        session.request("w", Apps.WORKER_SHAPE, 1, LocalityLevel.LOCALITY_LEVEL_CLUSTER, "", 2, false);
        await().atMost(Duration.ofSeconds(10)).until(() -> session.grants().size() == 3);
        assertThat(session.grants().stream().filter(g -> g.getGrantId() != onTw1.getGrantId()))
            .allSatisfy(g -> assertThat(g.getNodeId()).isEqualTo("tw-2"));

        // The leader dies: the next one keeps the drain, and the step goes on waiting.
        ChildJvm.kill9(c.masters.remove(c.leaderName()));
        await().atMost(Duration.ofSeconds(20)).until(() -> {
          try {
            return c.status().getNodesCount() == 2 && node(c, "tw-1").getDraining() && !c.status().getRecovering();
          } catch (RuntimeException e) {
            return false;
          }
        });
        session.request("w", Apps.WORKER_SHAPE, 1, LocalityLevel.LOCALITY_LEVEL_CLUSTER, "", 1, false);
        await().atMost(Duration.ofSeconds(10)).until(() -> session.grants().size() == 4);
        assertThat(session.grants().get(3).getNodeId()).isEqualTo("tw-2");
        assertThat(node(c, "tw-1").getGrants()).isPositive();
        assertThat(step).as("tw-1 still holds grants").isNotDone();

        // Its grants come back (the unit, then the application ends with its master): the step ends.
        session.returnGrants(List.of(onTw1.getGrantId()));
        c.client().cluster(s -> s.killApp(KillAppRequest.newBuilder().setAppId(appId).build()));
        String report = step.get(20, TimeUnit.SECONDS);
        assertThat(report).startsWith("node tw-1 drained in Fuxi cluster it: its ").contains("returned after");
        assertThat(node(c, "tw-1").getGrants()).isZero();
        assertThat(node(c, "tw-1").getDraining()).isTrue();
      }
    }
  }

  @Test
  void aModuleNamingNoFuxiClusterDrainsNothingAndAnUnknownNodeHoldsNothing() throws Exception {
    FuxiDrainer drainer = new FuxiDrainer("feitian", SecuritySettings.client(TlsSettings.DISABLED, Optional.empty()),
        new CallSettings(Optional.empty(), Duration.ofSeconds(5)), Duration.ofMillis(100), Clock.systemUTC());
    assertThat(drainer.drain("sample", Map.of("node.id", "n1"), Duration.ofSeconds(1)))
        .startsWith("nothing to drain");
    try (TestCluster c = new TestCluster(dir)) {
      c.startMaster();
      // Once the leader has recovered: before, a node it does not know may still be on its way back.
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        try {
          return c.status().getMastersCount() == 1 && !c.status().getRecovering();
        } catch (RuntimeException e) {
          return false;
        }
      });
      assertThat(drainer.drain("task-worker", Map.of("zookeeper", c.zkConnect(), "cluster-name", "it",
          "node.id", "gone"), Duration.ofSeconds(10)))
          .isEqualTo("node gone is not a node of Fuxi cluster it: nothing to drain");
    }
  }
}
