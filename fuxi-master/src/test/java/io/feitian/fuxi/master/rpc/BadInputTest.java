package io.feitian.fuxi.master.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.feitian.fuxi.master.FuxiMaster;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.AppMasterMessage;
import io.feitian.proto.fuxi.v1.AppSpec;
import io.feitian.proto.fuxi.v1.Attach;
import io.feitian.proto.fuxi.v1.ClusterServiceGrpc;
import io.feitian.proto.fuxi.v1.GetClusterStatusRequest;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import io.feitian.proto.fuxi.v1.ListAppsRequest;
import io.feitian.proto.fuxi.v1.LocalityDemand;
import io.feitian.proto.fuxi.v1.LocalityLevel;
import io.feitian.proto.fuxi.v1.NodeDirective;
import io.feitian.proto.fuxi.v1.NodeHeartbeat;
import io.feitian.proto.fuxi.v1.NodeServiceGrpc;
import io.feitian.proto.fuxi.v1.ProcessProgram;
import io.feitian.proto.fuxi.v1.QuotaGroup;
import io.feitian.proto.fuxi.v1.RegisterNodeRequest;
import io.feitian.proto.fuxi.v1.ResourceServiceGrpc;
import io.feitian.proto.fuxi.v1.SchedulingEvent;
import io.feitian.proto.fuxi.v1.SetQuotaRequest;
import io.feitian.proto.fuxi.v1.SubmitAppRequest;
import io.feitian.proto.fuxi.v1.UnitRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed requests get a status naming the problem and change nothing. */
class BadInputTest {
  @TempDir
  Path dir;

  MasterFixture fixture;
  FuxiMaster leader;
  ManagedChannel channel;
  NodeServiceGrpc.NodeServiceBlockingStub nodes;
  ClusterServiceGrpc.ClusterServiceBlockingStub cluster;

  @BeforeEach
  void start() throws Exception {
    fixture = new MasterFixture(dir);
    leader = fixture.startLeader();
    channel = NettyChannelBuilder.forTarget(leader.address()).usePlaintext().build();
    nodes = NodeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    cluster = ClusterServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    fixture.close();
  }

  static RegisterNodeRequest.Builder node(String id) {
    return RegisterNodeRequest.newBuilder().setNodeId(id).setAddress("127.0.0.1:1").setRack("r1")
        .setTotal(Resources.newBuilder().setCpuMillis(4000).setMemoryMib(4096));
  }

  static void assertStatus(Runnable call, Status.Code code, String... fragments) {
    assertThatThrownBy(call::run).satisfies(e -> {
      Status s = Status.fromThrowable(e);
      assertThat(s.getCode()).isEqualTo(code);
      for (String f : fragments) {
        assertThat(s.getDescription()).contains(f);
      }
    });
  }

  private int nodeCount() {
    return cluster.getClusterStatus(GetClusterStatusRequest.getDefaultInstance()).getNodesCount();
  }

  @Test
  void badNodeRegistrationsAreRefusedAndNothingJoins() {
    assertStatus(() -> nodes.register(node("n1").setTotal(Resources.newBuilder().setCpuMillis(-1).setMemoryMib(10)).build()),
        Status.Code.INVALID_ARGUMENT, "total.cpu_millis");
    assertStatus(() -> nodes.register(node("n1").setAddress("nowhere").build()), Status.Code.INVALID_ARGUMENT, "address");
    assertStatus(() -> nodes.register(node("bad id!").build()), Status.Code.INVALID_ARGUMENT, "node_id");
    assertStatus(() -> nodes.register(node("n1").setTotal(Resources.newBuilder().setCpuMillis(1000)).build()),
        Status.Code.INVALID_ARGUMENT, "total");
    assertStatus(() -> nodes.register(node("n1").setTotal(Resources.newBuilder().setCpuMillis(1).setMemoryMib(1)
        .putNamed("GPU!", 1)).build()), Status.Code.INVALID_ARGUMENT, "total.named");
    assertThat(nodeCount()).isZero();
  }

  @Test
  void aNodeIdAliveOnOneHostIsRefusedToAnotherButNotToItsOwnHost() {
    nodes.register(node("n1").setAddress("127.0.0.1:7200").build());
    assertStatus(() -> nodes.register(node("n1").setAddress("10.9.9.9:7200").build()), Status.Code.ALREADY_EXISTS,
        "node id n1 belongs to the task-worker at 127.0.0.1:7200", "10.9.9.9:7200", "task-worker.node-id");
    // A task-worker restarted on the same host (a new port) takes its node over at once.
    nodes.register(node("n1").setAddress("127.0.0.1:7300").build());
    assertThat(cluster.getClusterStatus(GetClusterStatusRequest.getDefaultInstance()).getNodesList())
        .extracting(n -> n.getAddress()).containsExactly("127.0.0.1:7300");
  }

  @Test
  void heartbeatFromAStaleEpochIsRefused() throws Exception {
    long epoch = nodes.register(node("n1").build()).getEpoch();
    CompletableFuture<Status> ended = new CompletableFuture<>();
    StreamObserver<NodeHeartbeat> out = NodeServiceGrpc.newStub(channel).heartbeat(new StreamObserver<NodeDirective>() {
      @Override
      public void onNext(NodeDirective value) {}

      @Override
      public void onError(Throwable t) {
        ended.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        ended.complete(Status.OK);
      }
    });
    out.onNext(NodeHeartbeat.newBuilder().setNodeId("n1").setEpoch(epoch - 1).build());
    Status s = ended.get(10, TimeUnit.SECONDS);
    assertThat(s.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(s.getDescription()).contains("stale epoch");
  }

  /** Opens a Schedule stream, sends the messages, returns how it ended and what came back. */
  private Status schedule(List<SchedulingEvent> events, AppMasterMessage... messages) throws Exception {
    CompletableFuture<Status> ended = new CompletableFuture<>();
    StreamObserver<AppMasterMessage> out = ResourceServiceGrpc.newStub(channel).schedule(new StreamObserver<>() {
      @Override
      public void onNext(SchedulingEvent e) {
        events.add(e);
      }

      @Override
      public void onError(Throwable t) {
        ended.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        ended.complete(Status.OK);
      }
    });
    for (AppMasterMessage m : messages) {
      out.onNext(m);
    }
    Status s = ended.get(10, TimeUnit.SECONDS);
    return s;
  }

  private String submit() {
    AppSpec spec = AppSpec.newBuilder().setName("a")
        .setMaster(LaunchSpec.newBuilder().setProcess(ProcessProgram.newBuilder().addArgv("true")))
        .setMasterResources(Resources.newBuilder().setCpuMillis(100).setMemoryMib(64)).build();
    return cluster.submitApp(SubmitAppRequest.newBuilder().setSpec(spec).build()).getAppId();
  }

  static AppMasterMessage attach(String appId) {
    return AppMasterMessage.newBuilder().setAttach(Attach.newBuilder().setAppId(appId)).build();
  }

  static AppMasterMessage request(Resources shape, LocalityLevel level, String target, int count) {
    return AppMasterMessage.newBuilder().setRequest(UnitRequest.newBuilder().setUnit("u").setShape(shape)
        .addDemands(LocalityDemand.newBuilder().setLevel(level).setTarget(target).setCountDelta(count))).build();
  }

  @Test
  void badSchedulingMessagesEndTheStreamWithAClearStatus() throws Exception {
    nodes.register(node("n1").build());
    String appId = submit();
    Resources ok = Resources.newBuilder().setCpuMillis(100).setMemoryMib(64).build();
    List<SchedulingEvent> events = new CopyOnWriteArrayList<>();

    Status s = schedule(events, request(ok, LocalityLevel.LOCALITY_LEVEL_CLUSTER, "", 1));
    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription()).contains("first message");

    s = schedule(events, attach("app-404"));
    assertThat(s.getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(s.getDescription()).contains("app-404");

    s = schedule(events, attach(appId), request(Resources.newBuilder().setCpuMillis(1).setMemoryMib(-5).build(),
        LocalityLevel.LOCALITY_LEVEL_CLUSTER, "", 1));
    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription()).contains("request.shape.memory_mib");

    s = schedule(events, attach(appId), request(Resources.newBuilder().setCpuMillis(64_000).setMemoryMib(1).build(),
        LocalityLevel.LOCALITY_LEVEL_CLUSTER, "", 1));
    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription()).contains("exceeds the largest node");

    s = schedule(events, attach(appId), request(ok, LocalityLevel.LOCALITY_LEVEL_MACHINE, "", 1));
    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription()).contains("request.demands[0].target");

    s = schedule(events, AppMasterMessage.newBuilder().setAttach(Attach.newBuilder().setAppId(appId)
        .setEndpoint("no-port")).build());
    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription()).contains("attach.endpoint");

    s = schedule(events, attach(appId), request(ok, LocalityLevel.LOCALITY_LEVEL_UNSPECIFIED, "", 1));
    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription()).contains("request.demands[0].level");

    // None of it changed anything: nothing pending, nothing granted but the app's own master.
    var status = cluster.getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
    assertThat(status.getPendingUnits()).isZero();
    assertThat(events).allMatch(e -> e.getKindCase() == SchedulingEvent.KindCase.ATTACHED
        || e.getKindCase() == SchedulingEvent.KindCase.NODES);
  }

  @Test
  void badApplicationsAndQuotasAreRefusedAndNotStored() {
    AppSpec noProgram = AppSpec.newBuilder().setName("x")
        .setMasterResources(Resources.newBuilder().setCpuMillis(100).setMemoryMib(64)).build();
    assertStatus(() -> cluster.submitApp(SubmitAppRequest.newBuilder().setSpec(noProgram).build()),
        Status.Code.INVALID_ARGUMENT, "spec.master");
    AppSpec badName = noProgram.toBuilder().setName("has space")
        .setMaster(LaunchSpec.newBuilder().setProcess(ProcessProgram.newBuilder().addArgv("true"))).build();
    assertStatus(() -> cluster.submitApp(SubmitAppRequest.newBuilder().setSpec(badName).build()),
        Status.Code.INVALID_ARGUMENT, "spec.name");
    AppSpec unknownGroup = badName.toBuilder().setName("ok").setQuotaGroup("nope").build();
    assertStatus(() -> cluster.submitApp(SubmitAppRequest.newBuilder().setSpec(unknownGroup).build()),
        Status.Code.INVALID_ARGUMENT, "spec.quota_group");
    AppSpec negative = badName.toBuilder().setName("ok")
        .setMasterResources(Resources.newBuilder().setCpuMillis(-100).setMemoryMib(64)).build();
    assertStatus(() -> cluster.submitApp(SubmitAppRequest.newBuilder().setSpec(negative).build()),
        Status.Code.INVALID_ARGUMENT, "spec.master_resources.cpu_millis");
    AppSpec unknownKind = badName.toBuilder().setName("ok").setKind("job").build();
    assertStatus(() -> cluster.submitApp(SubmitAppRequest.newBuilder().setSpec(unknownKind).build()),
        Status.Code.INVALID_ARGUMENT, "spec.kind 'job' is not known");
    assertThat(cluster.listApps(ListAppsRequest.newBuilder().setAll(true).build()).getAppsCount()).isZero();

    QuotaGroup inverted = QuotaGroup.newBuilder().setName("g")
        .setMin(Resources.newBuilder().setCpuMillis(2000).setMemoryMib(10))
        .setMax(Resources.newBuilder().setCpuMillis(1000).setMemoryMib(10)).build();
    assertStatus(() -> cluster.setQuota(SetQuotaRequest.newBuilder().setQuota(inverted).build()),
        Status.Code.INVALID_ARGUMENT, "quota.min");
    assertThat(cluster.listQuotas(io.feitian.proto.fuxi.v1.ListQuotasRequest.getDefaultInstance()).getQuotasList())
        .extracting(QuotaGroup::getName).containsExactly("default");
  }

  @Test
  void aStandbyRefusesWithTheLeadersAddress() throws Exception {
    FuxiMaster standby = fixture.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> fixture.masters.size() == 2);
    ManagedChannel ch = NettyChannelBuilder.forTarget(standby.address()).usePlaintext().build();
    try {
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertStatus(() -> NodeServiceGrpc.newBlockingStub(ch).register(node("n1").build()),
              Status.Code.UNAVAILABLE, "leader=" + leader.address()));
      assertThat(standby.isLeader()).isFalse();
      // Status is answered by a standby too, naming the leader.
      var s = ClusterServiceGrpc.newBlockingStub(ch).getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
      assertThat(s.getLeaderAddress()).isEqualTo(leader.address());
      assertThat(s.getAnsweredBy()).isEqualTo(standby.address());
      assertThat(s.getEpoch()).as("the leader's epoch, as the standby reads it").isEqualTo(leader.epoch()).isPositive();
    } finally {
      ch.shutdownNow();
    }
  }
}
