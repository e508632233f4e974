package io.feitian.fuxi.master.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.fuxi.master.FuxiMaster;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.AppSpec;
import io.feitian.proto.fuxi.v1.ClusterServiceGrpc;
import io.feitian.proto.fuxi.v1.GetClusterStatusRequest;
import io.feitian.proto.fuxi.v1.GetAppRequest;
import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import io.feitian.proto.fuxi.v1.LocalityDemand;
import io.feitian.proto.fuxi.v1.LocalityLevel;
import io.feitian.proto.fuxi.v1.ProcessProgram;
import io.feitian.proto.fuxi.v1.RegisterNodeResponse;
import io.feitian.proto.fuxi.v1.SubmitAppRequest;
import io.feitian.proto.fuxi.v1.UnitRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a failover the new leader learns grants from two sides, the nodes and
 * the application masters, in either order. A grant a node still holds but
 * whose master does not claim it (the master gave it back, or never heard of
 * it, before the old leader died) must be taken back, not kept as a grant
 * nobody uses.
 */
class FailoverReconciliationTest {
  private static final int UNIT_CPU = 1000;
  private static final int MASTER_CPU = 100;

  @TempDir
  Path dir;

  MasterFixture fixture;
  final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    fixture = new MasterFixture(dir).with("fuxi.master.recovery-window", "5s")
        .with("fuxi.master.child-master.max-restarts", 1000);
  }

  @AfterEach
  void stop() throws Exception {
    channels.forEach(ManagedChannel::shutdownNow);
    fixture.close();
  }

  private ManagedChannel channel(FuxiMaster m) {
    ManagedChannel c = NettyChannelBuilder.forTarget(m.address()).usePlaintext().build();
    channels.add(c);
    return c;
  }

  private record Before(String appId, Grant kept, Grant forgotten, FuxiMaster next) {}

  /** An application holds two grants on n1 under the first leader, which then dies. */
  private Before twoGrantsThenFailover() throws Exception {
    FuxiMaster first = fixture.startLeader();
    FuxiMaster next = fixture.start();
    ManagedChannel ch = channel(first);
    new RawPeers.Node(ch, "n1").register(List.of());
    AppSpec spec = AppSpec.newBuilder().setName("a")
        .setMaster(LaunchSpec.newBuilder().setProcess(ProcessProgram.newBuilder().addArgv("true")))
        .setMasterResources(Resources.newBuilder().setCpuMillis(MASTER_CPU).setMemoryMib(64)).build();
    String appId = ClusterServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
        .submitApp(SubmitAppRequest.newBuilder().setSpec(spec).build()).getAppId();
    RawPeers.AppMaster am = new RawPeers.AppMaster(ch, appId, List.of());
    am.request(UnitRequest.newBuilder().setUnit("u")
        .setShape(Resources.newBuilder().setCpuMillis(UNIT_CPU).setMemoryMib(512))
        .addDemands(LocalityDemand.newBuilder().setLevel(LocalityLevel.LOCALITY_LEVEL_CLUSTER).setCountDelta(2))
        .build());
    await().atMost(Duration.ofSeconds(10)).until(() -> am.granted().size() == 2);
    first.close();
    await().atMost(Duration.ofSeconds(10)).until(next::isLeader);
    return new Before(appId, am.granted().get(0), am.granted().get(1), next);
  }

  /** Units of the application's own demand the leader counts as held (its master's grant aside). */
  private static long unitsHeld(ManagedChannel ch, String appId) {
    return ClusterServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getApp(GetAppRequest.newBuilder().setAppId(appId).build()).getInUse().getCpuMillis() / UNIT_CPU;
  }

  @Test
  void aGrantTheReattachedMasterDoesNotClaimIsRevokedWhenItsNodeComesBack() throws Exception {
    Before b = twoGrantsThenFailover();
    ManagedChannel ch = channel(b.next());
    // The master re-attaches first, claiming one grant: its node has not registered yet.
    RawPeers.AppMaster am = new RawPeers.AppMaster(ch, b.appId(), List.of(b.kept()));
    await().atMost(Duration.ofSeconds(10)).until(() -> !am.events.isEmpty());
    RegisterNodeResponse r = new RawPeers.Node(ch, "n1").register(List.of(b.kept(), b.forgotten()));

    assertThat(r.getRevokedGrantIdsList()).containsExactly(b.forgotten().getGrantId());
    assertThat(unitsHeld(ch, b.appId())).isEqualTo(1);
    // The master held the kept grant all along: it is neither granted again nor revoked.
    assertThat(am.granted()).isEmpty();
    assertThat(am.revoked()).isEmpty();
  }

  @Test
  void aClaimedGrantOnANodeSlowToComeBackAfterTheRecoveryWindowIsKept() throws Exception {
    fixture.with("fuxi.master.recovery-window", "1s").with("fuxi.master.node-timeout", "10s");
    Before b = twoGrantsThenFailover();
    ManagedChannel ch = channel(b.next());
    RawPeers.AppMaster am = new RawPeers.AppMaster(ch, b.appId(), List.of(b.kept()));
    await().atMost(Duration.ofSeconds(10)).until(() -> !am.events.isEmpty());
    // The recovery window closes with n1 still away (a loaded machine), then n1 comes back.
    await().atMost(Duration.ofSeconds(10)).until(() -> !ClusterServiceGrpc.newBlockingStub(ch)
        .withDeadlineAfter(10, TimeUnit.SECONDS).getClusterStatus(GetClusterStatusRequest.getDefaultInstance())
        .getRecovering());
    RegisterNodeResponse r = new RawPeers.Node(ch, "n1").register(List.of(b.kept(), b.forgotten()));

    assertThat(r.getRevokedGrantIdsList()).as("the claimed grant's work is not killed")
        .containsExactly(b.forgotten().getGrantId());
    assertThat(am.revoked()).isEmpty();
    assertThat(unitsHeld(ch, b.appId())).isEqualTo(1);
  }

  @Test
  void aGrantTheNodeReportsButTheMasterDoesNotClaimIsRevokedWhenTheMasterAttaches() throws Exception {
    Before b = twoGrantsThenFailover();
    ManagedChannel ch = channel(b.next());
    // The node comes back first and reports both grants.
    RawPeers.Node node = new RawPeers.Node(ch, "n1");
    assertThat(node.register(List.of(b.kept(), b.forgotten())).getRevokedGrantIdsList()).isEmpty();
    assertThat(unitsHeld(ch, b.appId())).isEqualTo(2);

    RawPeers.AppMaster am = new RawPeers.AppMaster(ch, b.appId(), List.of(b.kept()));
    await().atMost(Duration.ofSeconds(10)).until(() -> !am.events.isEmpty());

    assertThat(am.accepted()).extracting(Grant::getGrantId).containsExactly(b.kept().getGrantId());
    await().atMost(Duration.ofSeconds(10))
        .until(() -> node.revokedByDirective().contains(b.forgotten().getGrantId()));
    assertThat(node.revokedByDirective()).doesNotContain(b.kept().getGrantId());
    assertThat(unitsHeld(ch, b.appId())).isEqualTo(1);
    assertThat(am.granted()).isEmpty();
  }
}
