package io.feitian.fuxi.master.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.fuxi.master.FuxiMaster;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.AppMasterMessage;
import io.feitian.proto.fuxi.v1.AppSpec;
import io.feitian.proto.fuxi.v1.ClusterServiceGrpc;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import io.feitian.proto.fuxi.v1.ListBlacklistRequest;
import io.feitian.proto.fuxi.v1.ProcessProgram;
import io.feitian.proto.fuxi.v1.ReportBadNode;
import io.feitian.proto.fuxi.v1.SubmitAppRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Machines bad for enough applications join the cluster blacklist; one application alone cannot do it. */
class BadNodeReportTest {
  @TempDir
  Path dir;

  MasterFixture fixture;
  ManagedChannel channel;
  ClusterServiceGrpc.ClusterServiceBlockingStub cluster;

  @BeforeEach
  void start() throws Exception {
    fixture = new MasterFixture(dir).with("fuxi.master.bad-node-reports", 2);
    FuxiMaster leader = fixture.startLeader();
    channel = NettyChannelBuilder.forTarget(leader.address()).usePlaintext().build();
    cluster = ClusterServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    fixture.close();
  }

  private RawPeers.AppMaster attached(String name) {
    AppSpec spec = AppSpec.newBuilder().setName(name)
        .setMaster(LaunchSpec.newBuilder().setProcess(ProcessProgram.newBuilder().addArgv("true")))
        .setMasterResources(Resources.newBuilder().setCpuMillis(100).setMemoryMib(64)).build();
    String appId = cluster.submitApp(SubmitAppRequest.newBuilder().setSpec(spec).build()).getAppId();
    RawPeers.AppMaster am = new RawPeers.AppMaster(channel, appId, List.of());
    await().atMost(Duration.ofSeconds(10)).until(() -> !am.events.isEmpty());
    return am;
  }

  private static AppMasterMessage report(String node) {
    return AppMasterMessage.newBuilder().setReportBadNode(ReportBadNode.newBuilder().setNodeId(node)
        .setReason("disk errors")).build();
  }

  private List<String> blacklisted() {
    return cluster.listBlacklist(ListBlacklistRequest.getDefaultInstance()).getEntriesList().stream()
        .map(e -> e.getNodeId() + ": " + e.getReason()).toList();
  }

  @Test
  void twoApplicationsReportingANodeBlacklistItOneCannot() throws Exception {
    RawPeers.AppMaster a = attached("a");
    RawPeers.AppMaster b = attached("b");
    a.send(report("n1"));
    a.send(report("n1"));
    a.send(report("n2"));
    b.send(report("n1"));
    await().atMost(Duration.ofSeconds(10)).until(() -> !blacklisted().isEmpty());
    // n1: both applications; n2 (one application, however often) stays usable.
    assertThat(blacklisted()).singleElement().asString().startsWith("n1: reported bad by 2 applications")
        .contains(a.appId).contains(b.appId).contains("disk errors");
  }

  @Test
  void aBadNodeIdEndsTheStreamNamingTheField() throws Exception {
    RawPeers.AppMaster a = attached("a");
    a.send(report("no such/node"));
    await().atMost(Duration.ofSeconds(10)).until(() -> a.ended() != null);
    assertThat(a.ended().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(a.ended().getDescription()).contains("report_bad_node.node_id");
    assertThat(blacklisted()).isEmpty();
  }
}
