package io.feitian.fuxi.master.rpc;

import static io.feitian.fuxi.master.rpc.BadInputTest.assertStatus;
import static io.feitian.fuxi.master.rpc.BadInputTest.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.fuxi.master.FuxiMaster;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.AppSpec;
import io.feitian.proto.fuxi.v1.BlacklistEntry;
import io.feitian.proto.fuxi.v1.BlacklistRequest;
import io.feitian.proto.fuxi.v1.ClusterServiceGrpc;
import io.feitian.proto.fuxi.v1.GetAppRequest;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import io.feitian.proto.fuxi.v1.ListAppsRequest;
import io.feitian.proto.fuxi.v1.ListBlacklistRequest;
import io.feitian.proto.fuxi.v1.NodeServiceGrpc;
import io.feitian.proto.fuxi.v1.ProcessProgram;
import io.feitian.proto.fuxi.v1.QuotaGroup;
import io.feitian.proto.fuxi.v1.SetQuotaRequest;
import io.feitian.proto.fuxi.v1.SubmitAppRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests too big or absurd for what they reach (ZooKeeper records, the
 * scheduler, the operator's screen) are refused naming the field and the
 * limit, before anything is written, and the leader keeps leading.
 */
class InputLimitsTest {
  @TempDir
  Path dir;

  MasterFixture fixture;
  FuxiMaster leader;
  ClusterServiceGrpc.ClusterServiceBlockingStub cluster;

  /** A leader with one node (n1: 4 cores, 4 GiB). */
  @BeforeEach
  void start() throws Exception {
    fixture = new MasterFixture(dir);
    leader = fixture.startLeader();
    ManagedChannel channel = fixture.channelTo(leader);
    NodeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).register(node("n1").build());
    cluster = ClusterServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  private static ServingStatus health(ManagedChannel ch, String service) {
    return HealthGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
  }

  private static AppSpec.Builder app() {
    return AppSpec.newBuilder().setName("a")
        .setMaster(LaunchSpec.newBuilder().setProcess(ProcessProgram.newBuilder().addArgv("true")))
        .setMasterResources(Resources.newBuilder().setCpuMillis(100).setMemoryMib(64));
  }

  private void submit(AppSpec.Builder spec) {
    cluster.submitApp(SubmitAppRequest.newBuilder().setSpec(spec).build());
  }

  private void blacklist(BlacklistRequest.Builder req) {
    cluster.addToBlacklist(req.build());
  }

  @Test
  void oversizedFieldsAreRefusedBeforeAnyWriteAndTheLeaderKeepsLeading() {
    long epoch = leader.epoch();
    AppSpec.Builder bigEnv = app();
    bigEnv.getMasterBuilder().putEnv("BIG", "x".repeat(2 << 20));
    assertStatus(() -> submit(bigEnv), Status.Code.INVALID_ARGUMENT, "spec.master.env['BIG']", "at most 32768");
    assertStatus(() -> blacklist(BlacklistRequest.newBuilder().setNodeId("n1").setReason("r".repeat(8192))),
        Status.Code.INVALID_ARGUMENT, "reason", "at most 4096");
    // Beyond the server's request size limit, gRPC refuses it unread.
    assertStatus(() -> blacklist(BlacklistRequest.newBuilder().setNodeId("n1").setReason("r".repeat(10 << 20))),
        Status.Code.RESOURCE_EXHAUSTED);

    assertThat(leader.isLeader()).isTrue();
    assertThat(leader.epoch()).isEqualTo(epoch);
    assertThat(cluster.listApps(ListAppsRequest.newBuilder().setAll(true).build()).getAppsCount()).isZero();
    assertThat(cluster.listBlacklist(ListBlacklistRequest.getDefaultInstance()).getEntriesCount()).isZero();
  }

  @Test
  void aHugeApplicationIdIsNotFoundWithItsEchoCut() {
    assertStatus(() -> cluster.getApp(GetAppRequest.newBuilder().setAppId("a".repeat(16 * 1024)).build()),
        Status.Code.NOT_FOUND, "unknown application 'aaaa", "(16384 chars)");
  }

  @Test
  void aPlainApplicationWhoseMasterFitsOnNoNodeIsRefusedNamingTheLargestNode() {
    AppSpec.Builder huge = app().setMasterResources(Resources.newBuilder().setCpuMillis(8000).setMemoryMib(64));
    assertStatus(() -> submit(huge), Status.Code.INVALID_ARGUMENT, "spec.master_resources",
        "the largest, n1, has cpu=4000m");
    assertThat(cluster.listApps(ListAppsRequest.newBuilder().setAll(true).build()).getAppsCount()).isZero();
  }

  @Test
  void absurdQuotasAndUnknownNodesAreRefused() {
    long cores = 1_000_000_000_000_000L;
    QuotaGroup absurd = QuotaGroup.newBuilder().setName("g")
        .setMin(Resources.newBuilder().setCpuMillis(cores * 1000).setMemoryMib(1)).build();
    assertStatus(() -> cluster.setQuota(SetQuotaRequest.newBuilder().setQuota(absurd).build()),
        Status.Code.INVALID_ARGUMENT, "quota.min.cpu_millis", "2^40");
    assertStatus(() -> cluster.setQuota(SetQuotaRequest.newBuilder().setQuota(QuotaGroup.newBuilder().setName("g")
        .setWeight(1e12)).build()), Status.Code.INVALID_ARGUMENT, "quota.weight");

    assertStatus(() -> blacklist(BlacklistRequest.newBuilder().setNodeId("ghost")), Status.Code.NOT_FOUND,
        "'ghost' is not a node of this cluster", "force");
    blacklist(BlacklistRequest.newBuilder().setNodeId("n1").setReason("disk errors"));
    blacklist(BlacklistRequest.newBuilder().setNodeId("ghost").setForce(true));
    assertThat(cluster.listBlacklist(ListBlacklistRequest.getDefaultInstance()).getEntriesList())
        .extracting(BlacklistEntry::getNodeId).containsExactlyInAnyOrder("n1", "ghost");
  }

  @Test
  void onlyTheLeaderReportsItsServicesServing() throws Exception {
    FuxiMaster standby = fixture.start();
    ManagedChannel toLeader = fixture.channelTo(leader);
    ManagedChannel toStandby = fixture.channelTo(standby);
    String service = ClusterServiceGrpc.SERVICE_NAME;
    assertThat(health(toLeader, service)).isEqualTo(ServingStatus.SERVING);
    assertThat(health(toStandby, service)).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(health(toStandby, "")).as("the process itself serves").isEqualTo(ServingStatus.SERVING);

    fixture.masters.remove(leader);
    leader.close();
    await().atMost(Duration.ofSeconds(20)).until(standby::isLeader);
    assertThat(health(toStandby, service)).isEqualTo(ServingStatus.SERVING);
  }
}
