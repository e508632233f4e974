package io.feitian.fuxi.master.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.common.app.MasterAttempt;
import io.feitian.fuxi.master.FuxiMaster;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.AppSpec;
import io.feitian.proto.fuxi.v1.Attach;
import io.feitian.proto.fuxi.v1.ClusterServiceGrpc;
import io.feitian.proto.fuxi.v1.ClusterServiceGrpc.ClusterServiceBlockingStub;
import io.feitian.proto.fuxi.v1.GetAppRequest;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import io.feitian.proto.fuxi.v1.ProcessProgram;
import io.feitian.proto.fuxi.v1.SubmitAppRequest;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A master presumed dead with its node, still connected, is told at once that it was replaced: it
 * learns it when fuxi-master decides the restart, not when its successor attaches (which may never
 * happen soon on a loaded machine; here no successor ever starts).
 */
class SupersededMasterTest {
  @TempDir
  Path dir;

  MasterFixture fixture;
  final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor();

  @BeforeEach
  void start() throws Exception {
    fixture = new MasterFixture(dir).with("fuxi.master.recovery-window", "1s")
        .with("fuxi.master.node-timeout", "2s");
  }

  @AfterEach
  void stop() throws Exception {
    heartbeats.shutdownNow();
    fixture.close();
  }

  private static ClusterServiceBlockingStub cluster(ManagedChannel ch) {
    return ClusterServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static AppInfo app(ManagedChannel ch, String appId) {
    return cluster(ch).getApp(GetAppRequest.newBuilder().setAppId(appId).build());
  }

  @Test
  void aMasterWhoseNodeIsLostIsToldItWasReplacedAtOnce() throws Exception {
    FuxiMaster leader = fixture.startLeader();
    ManagedChannel ch = fixture.channelTo(leader);
    Map<String, RawPeers.Node> nodes = Map.of("n1", new RawPeers.Node(ch, "n1"), "n2", new RawPeers.Node(ch, "n2"));
    nodes.values().forEach(n -> n.register(List.of()));
    Set<String> beating = ConcurrentHashMap.newKeySet();
    beating.addAll(nodes.keySet());
    heartbeats.scheduleWithFixedDelay(() -> beating.forEach(n -> nodes.get(n).heartbeat()), 0, 200, TimeUnit.MILLISECONDS);
    AppSpec spec = AppSpec.newBuilder().setName("a")
        .setMaster(LaunchSpec.newBuilder().setProcess(ProcessProgram.newBuilder().addArgv("true")))
        .setMasterResources(Resources.newBuilder().setCpuMillis(100).setMemoryMib(64)).build();
    String appId = cluster(ch).submitApp(SubmitAppRequest.newBuilder().setSpec(spec).build()).getAppId();
    await().atMost(Duration.ofSeconds(10)).until(() -> !app(ch, appId).getMasterNodeId().isEmpty());
    String masterNode = app(ch, appId).getMasterNodeId();
    // The first start of the master (attempt 0) attaches; then its node goes silent, the other keeps beating.
    RawPeers.AppMaster first = new RawPeers.AppMaster(ch, Attach.newBuilder().setAppId(appId).setMasterAttempt(0).build());
    await().atMost(Duration.ofSeconds(10)).until(() -> first.events.stream().anyMatch(e -> e.hasAttached()));
    beating.remove(masterNode);

    await().atMost(Duration.ofSeconds(20)).until(() -> app(ch, appId).getMasterRestarts() == 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> first.ended() != null);
    assertThat(MasterAttempt.isSuperseded(first.ended())).as("ended with " + first.ended()).isTrue();
    assertThat(first.ended().getDescription()).contains("attempt 0").contains("replaced by attempt 1");
  }
}
