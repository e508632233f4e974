package io.feitian.fuxi.master.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.feitian.client.cli.FeitianCli;
import io.feitian.fuxi.master.FuxiMaster;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.AppMasterMessage;
import io.feitian.proto.fuxi.v1.AppSpec;
import io.feitian.proto.fuxi.v1.ClusterServiceGrpc;
import io.feitian.proto.fuxi.v1.ClusterServiceGrpc.ClusterServiceBlockingStub;
import io.feitian.proto.fuxi.v1.DrainNodeRequest;
import io.feitian.proto.fuxi.v1.GetClusterStatusRequest;
import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import io.feitian.proto.fuxi.v1.LocalityDemand;
import io.feitian.proto.fuxi.v1.LocalityLevel;
import io.feitian.proto.fuxi.v1.NodeState;
import io.feitian.proto.fuxi.v1.NodeStatus;
import io.feitian.proto.fuxi.v1.ProcessProgram;
import io.feitian.proto.fuxi.v1.ReturnGrants;
import io.feitian.proto.fuxi.v1.SubmitAppRequest;
import io.feitian.proto.fuxi.v1.UnitRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DrainNode on a real leader: the drained node gets no new grants while another node does, keeps
 * the ones it holds until they are returned, and is still draining under the next leader.
 */
class DrainNodeTest {
  private static final int UNIT_CPU = 1000;

  @TempDir
  Path dir;

  MasterFixture fixture;

  @BeforeEach
  void start() throws Exception {
    // Raw nodes heartbeat only when told to, and the master's launch on n1 (no task-worker there) is retried
    // on the same grant until the node timeout: a long one keeps both on n1 for the test.
    fixture = new MasterFixture(dir).with("fuxi.master.recovery-window", "1s")
        .with("fuxi.master.node-timeout", "30s");
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  private static ClusterServiceBlockingStub cluster(ManagedChannel ch) {
    return ClusterServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static NodeStatus statusOf(ManagedChannel ch, String nodeId) {
    return cluster(ch).getClusterStatus(GetClusterStatusRequest.getDefaultInstance()).getNodesList().stream()
        .filter(n -> n.getNodeId().equals(nodeId)).findFirst().orElseThrow();
  }

  private static String submit(ManagedChannel ch) {
    AppSpec spec = AppSpec.newBuilder().setName("a")
        .setMaster(LaunchSpec.newBuilder().setProcess(ProcessProgram.newBuilder().addArgv("true")))
        .setMasterResources(Resources.newBuilder().setCpuMillis(100).setMemoryMib(64)).build();
    return cluster(ch).submitApp(SubmitAppRequest.newBuilder().setSpec(spec).build()).getAppId();
  }

  /** Waits until the leader's recovery window is over: then it refuses a node it does not know. */
  private static void awaitRecovered(ManagedChannel ch) {
    await().atMost(Duration.ofSeconds(10)).until(() -> !cluster(ch)
        .getClusterStatus(GetClusterStatusRequest.getDefaultInstance()).getRecovering());
  }

  private static UnitRequest units(int count) {
    return UnitRequest.newBuilder().setUnit("u").setShape(Resources.newBuilder().setCpuMillis(UNIT_CPU)
        .setMemoryMib(512)).addDemands(LocalityDemand.newBuilder().setLevel(LocalityLevel.LOCALITY_LEVEL_CLUSTER)
        .setCountDelta(count)).build();
  }

  private static DrainNodeRequest drain(String nodeId) {
    return DrainNodeRequest.newBuilder().setNodeId(nodeId).setReason("scale-in").build();
  }

  @Test
  void aDrainedNodeGetsNoNewGrantsKeepsItsOwnAndEmptiesAsTheyAreReturned() throws Exception {
    FuxiMaster leader = fixture.startLeader();
    ManagedChannel ch = fixture.channelTo(leader);
    new RawPeers.Node(ch, "n1").register(List.of());
    String appId = submit(ch);
    RawPeers.AppMaster am = new RawPeers.AppMaster(ch, appId, List.of());
    am.request(units(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> am.granted().size() == 1);
    Grant onN1 = am.granted().get(0);
    assertThat(onN1.getNodeId()).isEqualTo("n1");
    new RawPeers.Node(ch, "n2").register(List.of());

    NodeStatus drained = cluster(ch).drainNode(drain("n1"));
    assertThat(drained.getDraining()).isTrue();
    assertThat(unitsOn(drained)).as("its unit stays").isEqualTo(1);
    assertThat(cluster(ch).drainNode(drain("n1")).toBuilder().clearLastHeartbeatAgeMs().build())
        .as("a repeat changes nothing").isEqualTo(drained.toBuilder().clearLastHeartbeatAgeMs().build());
    await().atMost(Duration.ofSeconds(5)).until(() -> !am.usableNodes().containsKey("n1"));

    // New units go to n2 although n1 has room; a large one that only n1 could hold waits.
    am.request(units(3));
    await().atMost(Duration.ofSeconds(10)).until(() -> am.granted().size() == 4);
    assertThat(am.granted().subList(1, 4)).allSatisfy(g -> assertThat(g.getNodeId()).isEqualTo("n2"));
    am.request(UnitRequest.newBuilder().setUnit("large").setShape(Resources.newBuilder()
        .setCpuMillis(UNIT_CPU * 3 / 2).setMemoryMib(512)).addDemands(LocalityDemand.newBuilder()
        .setLevel(LocalityLevel.LOCALITY_LEVEL_CLUSTER).setCountDelta(1)).build());
    await().atMost(Duration.ofSeconds(10)).until(() -> pendingUnits(ch) == 1);
    assertThat(unitsOn(statusOf(ch, "n1"))).isEqualTo(1);

    // The unit on n1 is returned: the node empties of units, and the room freed stays empty.
    am.send(AppMasterMessage.newBuilder().setReturnGrants(ReturnGrants.newBuilder()
        .addGrantIds(onN1.getGrantId())).build());
    await().atMost(Duration.ofSeconds(10)).until(() -> unitsOn(cluster(ch).drainNode(drain("n1"))) == 0);
    assertThat(pendingUnits(ch)).isEqualTo(1);

    // Undrained, the waiting unit lands there.
    NodeStatus undrained = cluster(ch).undrainNode(drain("n1"));
    assertThat(undrained.getDraining()).isFalse();
    await().atMost(Duration.ofSeconds(10)).until(() -> am.granted().size() == 5);
    assertThat(am.granted().get(4).getNodeId()).isEqualTo("n1");
    assertThat(cluster(ch).undrainNode(drain("n1")).getDraining()).as("undraining again is harmless").isFalse();
  }

  /**
   * Units of the application's demand on the node: the master's own grant (100 millicores, on n1 or n2 depending on
   * when the leader placed it) falls out of the division.
   */
  private static long unitsOn(NodeStatus n) {
    return n.getInUse().getCpuMillis() / UNIT_CPU;
  }

  private static int pendingUnits(ManagedChannel ch) {
    return cluster(ch).getClusterStatus(GetClusterStatusRequest.getDefaultInstance()).getPendingUnits();
  }

  @Test
  void theDrainSurvivesALeaderFailover() throws Exception {
    FuxiMaster first = fixture.startLeader();
    FuxiMaster next = fixture.start();
    ManagedChannel ch = fixture.channelTo(first);
    new RawPeers.Node(ch, "n1").register(List.of());
    assertThat(cluster(ch).drainNode(drain("n1")).getDraining()).isTrue();
    first.close();
    await().atMost(Duration.ofSeconds(15)).until(next::isLeader);

    ManagedChannel ch2 = fixture.channelTo(next);
    // Before n1 is back the new leader already knows it drains, and does not call it alive.
    NodeStatus away = cluster(ch2).drainNode(drain("n1"));
    assertThat(away.getDraining()).isTrue();
    assertThat(away.getState()).isIn(NodeState.NODE_STATE_UNSPECIFIED, NodeState.NODE_STATE_LOST);
    new RawPeers.Node(ch2, "n1").register(List.of());
    new RawPeers.Node(ch2, "n2").register(List.of());
    assertThat(statusOf(ch2, "n1").getDraining()).isTrue();
    assertThat(statusOf(ch2, "n2").getDraining()).isFalse();

    String appId = submit(ch2);
    RawPeers.AppMaster am = new RawPeers.AppMaster(ch2, appId, List.of());
    am.request(units(2));
    await().atMost(Duration.ofSeconds(10)).until(() -> am.granted().size() == 2);
    assertThat(am.granted()).allSatisfy(g -> assertThat(g.getNodeId()).isEqualTo("n2"));
    assertThat(statusOf(ch2, "n1").getGrants()).isZero();
  }

  /** Runs the feitian CLI against the leader; returns exit code, stdout and stderr. */
  private static String[] cli(FuxiMaster leader, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
        java.util.stream.Stream.of("--cluster", "master://" + leader.address())).toArray(String[]::new);
    int code = FeitianCli.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), all);
    return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void theCliDrainsShowsAndUndrainsANodeAndFailsClearlyForAnUnknownOne() throws Exception {
    FuxiMaster leader = fixture.startLeader();
    ManagedChannel ch = fixture.channelTo(leader);
    new RawPeers.Node(ch, "n1").register(List.of());

    String[] drained = cli(leader, "node", "drain", "n1", "--reason", "scale-in");
    assertThat(drained[0]).as(drained[2]).isEqualTo("0");
    assertThat(drained[1]).contains("node n1 draining; it holds no grants");
    assertThat(statusOf(ch, "n1").getDraining()).isTrue();
    String[] status = cli(leader, "cluster", "status");
    assertThat(status[1]).containsPattern("n1 +alive, draining");

    awaitRecovered(ch);
    String[] unknown = cli(leader, "node", "drain", "nope");
    assertThat(unknown[0]).isEqualTo("1");
    assertThat(unknown[2]).contains("NOT_FOUND: node_id 'nope' is not a node of this cluster");

    assertThat(cli(leader, "node", "undrain", "n1")[1]).contains("node n1 no longer draining");
    assertThat(statusOf(ch, "n1").getDraining()).isFalse();
  }

  @Test
  void badAndUnknownNodeIdsAreRefusedNamingTheField() throws Exception {
    FuxiMaster leader = fixture.startLeader();
    ManagedChannel ch = fixture.channelTo(leader);
    new RawPeers.Node(ch, "n1").register(List.of());
    assertThatThrownBy(() -> cluster(ch).drainNode(drain(""))).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("node_id");
        });
    assertThatThrownBy(() -> cluster(ch).undrainNode(drain("bad id"))).isInstanceOfSatisfying(
        StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    awaitRecovered(ch);
    assertThatThrownBy(() -> cluster(ch).drainNode(drain("nope"))).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.getStatus().getDescription()).contains("node_id 'nope'");
        });
    assertThat(statusOf(ch, "n1").getDraining()).as("nothing changed").isFalse();
  }
}
