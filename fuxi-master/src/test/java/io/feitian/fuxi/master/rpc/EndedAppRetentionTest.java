package io.feitian.fuxi.master.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.fuxi.master.FuxiMaster;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.AppSpec;
import io.feitian.proto.fuxi.v1.ClusterServiceGrpc;
import io.feitian.proto.fuxi.v1.KillAppRequest;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import io.feitian.proto.fuxi.v1.ListAppsRequest;
import io.feitian.proto.fuxi.v1.ProcessProgram;
import io.feitian.proto.fuxi.v1.SubmitAppRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ended applications are kept up to fuxi.master.ended-apps.keep, the newest, also for the next leader. */
class EndedAppRetentionTest {
  @TempDir
  Path dir;

  static ClusterServiceGrpc.ClusterServiceBlockingStub cluster(ManagedChannel channel) {
    return ClusterServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  static List<String> listed(ManagedChannel channel) {
    return cluster(channel).listApps(ListAppsRequest.newBuilder().setAll(true).build()).getAppsList().stream()
        .map(AppInfo::getAppId).sorted().toList();
  }

  @Test
  void onlyTheNewestEndedApplicationsAreKept() throws Exception {
    try (MasterFixture fixture = new MasterFixture(dir).with("fuxi.master.ended-apps.keep", 2)) {
      FuxiMaster leader = fixture.startLeader();
      ManagedChannel channel = NettyChannelBuilder.forTarget(leader.address()).usePlaintext().build();
      try {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          AppSpec spec = AppSpec.newBuilder().setName("a" + i)
              .setMaster(LaunchSpec.newBuilder().setProcess(ProcessProgram.newBuilder().addArgv("true")))
              .setMasterResources(Resources.newBuilder().setCpuMillis(100).setMemoryMib(64)).build();
          ids.add(cluster(channel).submitApp(SubmitAppRequest.newBuilder().setSpec(spec).build()).getAppId());
        }
        String running = cluster(channel).submitApp(SubmitAppRequest.newBuilder().setSpec(AppSpec.newBuilder()
            .setName("still-running").setMaster(LaunchSpec.newBuilder().setProcess(ProcessProgram.newBuilder()
                .addArgv("true"))).setMasterResources(Resources.newBuilder().setCpuMillis(100).setMemoryMib(64)))
            .build()).getAppId();
        for (String id : ids) {
          cluster(channel).killApp(KillAppRequest.newBuilder().setAppId(id).build());
        }
        assertThat(listed(channel)).containsExactlyInAnyOrder(ids.get(2), ids.get(3), running);

        // A new leader loads only what was kept.
        FuxiMaster standby = fixture.start();
        leader.close();
        await().atMost(Duration.ofSeconds(20)).until(standby::isLeader);
        ManagedChannel next = NettyChannelBuilder.forTarget(standby.address()).usePlaintext().build();
        try {
          assertThat(listed(next)).containsExactlyInAnyOrder(ids.get(2), ids.get(3), running);
        } finally {
          next.shutdownNow();
        }
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
