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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A master presumed dead, still connected, is told at once that it was replaced: it learns it when
 * fuxi-master decides the restart, not when its successor attaches (which on a loaded machine may take
 * long; here no successor ever starts). Its node goes silent; the master is started again elsewhere
 * and, no task-worker running at a raw node's address, that start fails and counts as the restart.
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
  void aMasterThatFuxiRestartsIsToldAtOnceThatItWasReplaced() throws Exception {
    FuxiMaster leader = fixture.startLeader();
    ManagedChannel ch = fixture.channelTo(leader);
    // n1 alone: the master's grant is there (its launch is retried, no task-worker runs at a raw node's address).
    RawPeers.Node n1 = new RawPeers.Node(ch, "n1");
    n1.register(List.of());
    AtomicBoolean n1Beats = new AtomicBoolean(true);
    heartbeats.scheduleWithFixedDelay(() -> {
      if (n1Beats.get()) {
        n1.heartbeat();
      }
    }, 0, 200, TimeUnit.MILLISECONDS);
    AppSpec spec = AppSpec.newBuilder().setName("a")
        .setMaster(LaunchSpec.newBuilder().setProcess(ProcessProgram.newBuilder().addArgv("true")))
        .setMasterResources(Resources.newBuilder().setCpuMillis(100).setMemoryMib(64)).build();
    String appId = cluster(ch).submitApp(SubmitAppRequest.newBuilder().setSpec(spec).build()).getAppId();
    // The first start of the master (attempt 0) attaches; then its node goes silent, and another one beats.
    RawPeers.AppMaster first = new RawPeers.AppMaster(ch, Attach.newBuilder().setAppId(appId).setMasterAttempt(0).build());
    await().atMost(Duration.ofSeconds(10)).until(() -> first.events.stream().anyMatch(e -> e.hasAttached()));
    RawPeers.Node n2 = new RawPeers.Node(ch, "n2");
    n2.register(List.of());
    heartbeats.scheduleWithFixedDelay(n2::heartbeat, 0, 200, TimeUnit.MILLISECONDS);
    n1Beats.set(false);

    await().atMost(Duration.ofSeconds(20)).until(() -> app(ch, appId).getMasterRestarts() == 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> first.ended() != null);
    assertThat(MasterAttempt.isSuperseded(first.ended())).as("ended with " + first.ended()).isTrue();
    assertThat(first.ended().getDescription()).contains("attempt 0").contains("replaced by attempt 1");
  }
}
