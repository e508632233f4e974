package io.feitian.fuxi.master.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.fuxi.master.FuxiMaster;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.AppSpec;
import io.feitian.proto.fuxi.v1.BlacklistRequest;
import io.feitian.proto.fuxi.v1.ClusterServiceGrpc;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import io.feitian.proto.fuxi.v1.ProcessProgram;
import io.feitian.proto.fuxi.v1.SchedulingEvent;
import io.feitian.proto.fuxi.v1.SubmitAppRequest;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An attached application master is told the usable nodes right after it
 * attaches, and then every change (a node joining, blacklisted, released,
 * lost) as it happens, on its scheduling stream: no polling.
 */
class UsableNodesStreamTest {
  @TempDir
  Path dir;

  @Test
  void anAttachedMasterLearnsOfNodesJoiningBlacklistedReleasedAndLost() throws Exception {
    try (MasterFixture f = new MasterFixture(dir).with("fuxi.master.node-timeout", "3s")) {
      FuxiMaster leader = f.startLeader();
      ManagedChannel channel = f.channelTo(leader);
      var cluster = ClusterServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
      RawPeers.Node n1 = new RawPeers.Node(channel, "n1");
      n1.register(List.of());
      AppSpec spec = AppSpec.newBuilder().setName("watcher")
          .setMaster(LaunchSpec.newBuilder().setProcess(ProcessProgram.newBuilder().addArgv("true")))
          .setMasterResources(Resources.newBuilder().setCpuMillis(100).setMemoryMib(64)).build();
      String appId = cluster.submitApp(SubmitAppRequest.newBuilder().setSpec(spec).build()).getAppId();
      RawPeers.AppMaster am = new RawPeers.AppMaster(channel, appId, List.of());

      await().atMost(Duration.ofSeconds(10)).until(() -> am.usableNodes().equals(Map.of("n1", "r1")));
      assertThat(am.events.stream().filter(SchedulingEvent::hasNodes).findFirst().orElseThrow().getNodes()
          .getSnapshot()).as("the first is a snapshot, right after Attached").isTrue();
      assertThat(am.events.get(0).hasAttached()).isTrue();

      RawPeers.Node n2 = new RawPeers.Node(channel, "n2");
      n2.register(List.of());
      await().atMost(Duration.ofSeconds(5)).until(() -> am.usableNodes().keySet().equals(java.util.Set.of("n1", "n2")));

      cluster.addToBlacklist(BlacklistRequest.newBuilder().setNodeId("n1").setReason("disk errors").build());
      await().atMost(Duration.ofSeconds(5)).until(() -> am.usableNodes().keySet().equals(java.util.Set.of("n2")));
      cluster.removeFromBlacklist(BlacklistRequest.newBuilder().setNodeId("n1").build());
      await().atMost(Duration.ofSeconds(5)).until(() -> am.usableNodes().keySet().equals(java.util.Set.of("n1", "n2")));
      long changes = am.events.stream().filter(SchedulingEvent::hasNodes).count();
      assertThat(am.events.stream().filter(SchedulingEvent::hasNodes).skip(1).map(e -> e.getNodes().getSnapshot()))
          .as("after the snapshot, only changes").containsOnly(false);

      // Both fall silent: lost after the node timeout, and the master hears of it.
      await().atMost(Duration.ofSeconds(15)).until(() -> am.usableNodes().isEmpty());
      assertThat(am.events.stream().filter(SchedulingEvent::hasNodes).count()).isGreaterThan(changes);
      am.close();
    }
  }
}
