package io.feitian.dayu.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.proto.dayu.v1.AddClusterRequest;
import io.feitian.proto.dayu.v1.AddNodeRequest;
import io.feitian.proto.dayu.v1.ClusterInfo;
import io.feitian.proto.dayu.v1.DayuServiceGrpc;
import io.feitian.proto.dayu.v1.GetClusterInfoRequest;
import io.feitian.proto.dayu.v1.HostGroup;
import io.feitian.proto.dayu.v1.ListNodesRequest;
import io.feitian.proto.dayu.v1.ListNodesResponse;
import io.feitian.proto.dayu.v1.ModuleAddresses;
import io.feitian.proto.dayu.v1.Node;
import io.feitian.proto.dayu.v1.NodeInfo;
import io.feitian.proto.dayu.v1.ParamChange;
import io.feitian.proto.dayu.v1.ParamScope;
import io.feitian.proto.dayu.v1.SetNodeRolesRequest;
import io.feitian.proto.dayu.v1.SetNodeStateRequest;
import io.feitian.proto.dayu.v1.SetParamsRequest;
import io.feitian.testkit.SamplePackages;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GetClusterInfo, SetNodeRoles and SetNodeState over real gRPC on loopback and an H2 database. */
class ClusterInfoTest {
  @TempDir
  Path dataDir;
  private DayuServerFixture fixture;

  @BeforeEach
  void start() {
    fixture = new DayuServerFixture(dataDir);
    dayu().addCluster(AddClusterRequest.newBuilder().setName("prod").build());
    addNode("n2", "r2", "worker", "gpu");
    addNode("n1", "r1", "worker");
    addNode("n3", "r1");
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  private DayuServiceGrpc.DayuServiceBlockingStub dayu() {
    return fixture.dayu();
  }

  private void addNode(String host, String rack, String... roles) {
    dayu().addNode(AddNodeRequest.newBuilder().setCluster("prod").setHost(host).setRack(rack)
        .addAllRoles(List.of(roles)).build());
  }

  private ClusterInfo info() {
    return dayu().getClusterInfo(GetClusterInfoRequest.newBuilder().setCluster("prod").build());
  }

  private ListNodesResponse nodes() {
    return dayu().listNodes(ListNodesRequest.newBuilder().setCluster("prod").build());
  }

  private void setPort(String module, ParamScope scope, String target, String port) {
    dayu().setParams(SetParamsRequest.newBuilder().setCluster("prod").setReason("ports")
        .addChanges(ParamChange.newBuilder().setModule(module).setScope(scope).setTarget(target).setKey("port")
            .setValue(port)).build());
  }

  /** A module whose descriptor declares {@code parameters}. */
  private void publish(String module, String parameters) {
    fixture.upload(module, "1.0.0", SamplePackages.tarGz(Map.of(SamplePackages.DESCRIPTOR,
        SamplePackages.descriptor(module, "1.0.0", List.of("worker")) + parameters)));
  }

  private static String hosts(HostGroup g) {
    return g.getName() + "=" + String.join(",", g.getHostsList());
  }

  private static String addresses(ModuleAddresses a) {
    return a.getModule() + "=" + String.join(",", a.getAddressesList());
  }

  private static void assertRefused(ThrowingCallable call, Status.Code code, String descriptionStart) {
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(code);
      assertThat(e.getStatus().getDescription()).startsWith(descriptionStart);
    });
  }

  @Test
  void nodesRacksRolesAndWhatEachRuns() {
    fixture.publish("app", "1.0.0");
    fixture.database().clusters().reportModules("prod", "n1", Map.of("app", "1.0.0"));

    ClusterInfo info = info();
    assertThat(info.getCluster().getName()).isEqualTo("prod");
    assertThat(info.getNodesList()).extracting(n -> n.getNode().getHost()).containsExactly("n1", "n2", "n3");
    assertThat(info.getNodes(0).getNode().getRack()).isEqualTo("r1");
    assertThat(info.getNodes(0).getModulesMap()).containsExactly(Map.entry("app", "1.0.0"));
    assertThat(info.getNodes(1).getNode().getRolesList()).containsExactly("gpu", "worker");
    assertThat(info.getNodes(1).getModulesMap()).as("nothing reported").isEmpty();
    assertThat(info.getRacksList()).extracting(ClusterInfoTest::hosts).containsExactly("r1=n1,n3", "r2=n2");
    assertThat(info.getRolesList()).extracting(ClusterInfoTest::hosts).containsExactly("gpu=n2", "worker=n1,n2");
  }

  @Test
  void listeningModulesAreAddressedByTheirEffectivePort() {
    fixture.publish("app", "1.0.0"); // declares int "port", default 7400
    publish("quiet", ""); // declares no port: not listening
    publish("unset", "parameters { port { type = int } }"); // a port without a default
    publish("named", "parameters { port { type = string, default = \"http\" } }"); // not a number
    fixture.database().clusters().reportModules("prod", "n1", Map.of("app", "1.0.0", "quiet", "1.0.0",
        "unset", "1.0.0", "named", "1.0.0"));
    fixture.database().clusters().reportModules("prod", "n2", Map.of("app", "1.0.0", "unset", "1.0.0"));
    setPort("app", ParamScope.PARAM_SCOPE_NODE, "n2", "9090");

    assertThat(info().getAddressesList()).extracting(ClusterInfoTest::addresses)
        .containsExactly("app=n1:7400,n2:9090");

    setPort("unset", ParamScope.PARAM_SCOPE_ROLE, "gpu", "5000");
    setPort("app", ParamScope.PARAM_SCOPE_MODULE, "", "8080");
    assertThat(info().getAddressesList()).extracting(ClusterInfoTest::addresses)
        .containsExactly("app=n1:8080,n2:9090", "unset=n2:5000");
  }

  @Test
  void rolesAndStateAreSetThroughTheApi() {
    Node n1 = dayu().setNodeRoles(SetNodeRolesRequest.newBuilder().setCluster("prod").setHost("n1")
        .addAllRoles(List.of("master", "gpu", "master")).build());
    assertThat(n1.getRolesList()).containsExactly("gpu", "master");
    assertThat(dayu().setNodeRoles(SetNodeRolesRequest.newBuilder().setCluster("prod").setHost("n2").build())
        .getRolesList()).as("none").isEmpty();
    Node drained = dayu().setNodeState(SetNodeStateRequest.newBuilder().setCluster("prod").setHost("n3")
        .setState("DRAINING").build());
    assertThat(drained.getState()).isEqualTo("DRAINING");

    ClusterInfo info = info();
    assertThat(info.getRolesList()).extracting(ClusterInfoTest::hosts).containsExactly("gpu=n1", "master=n1");
    assertThat(info.getNodesList()).extracting(n -> n.getNode().getHost() + ":" + n.getNode().getState())
        .containsExactly("n1:NEW", "n2:NEW", "n3:DRAINING");
  }

  @Test
  void refusalsNameTheFieldAndChangeNothing() {
    ListNodesResponse before = nodes();
    assertRefused(() -> dayu().setNodeRoles(SetNodeRolesRequest.newBuilder().setCluster("prod").setHost("n1")
        .addRoles("master").addRoles("Bad Role").build()), Status.Code.INVALID_ARGUMENT, "roles");
    assertRefused(() -> dayu().setNodeRoles(SetNodeRolesRequest.newBuilder().setCluster("prod").setHost("n9")
        .addRoles("master").build()), Status.Code.NOT_FOUND, "host");
    assertRefused(() -> dayu().setNodeRoles(SetNodeRolesRequest.newBuilder().setCluster("nowhere").setHost("n1")
        .build()), Status.Code.NOT_FOUND, "cluster");
    assertRefused(() -> dayu().setNodeState(SetNodeStateRequest.newBuilder().setCluster("prod").setHost("n1")
        .setState("draining").build()), Status.Code.INVALID_ARGUMENT,
        "state must be one of [NEW, ONLINE, OFFLINE, DRAINING], got \"draining\"");
    assertRefused(() -> dayu().setNodeState(SetNodeStateRequest.newBuilder().setCluster("prod").setHost("n1")
        .build()), Status.Code.INVALID_ARGUMENT, "state");
    assertRefused(() -> dayu().setNodeState(SetNodeStateRequest.newBuilder().setCluster("prod").setHost("n9")
        .setState("OFFLINE").build()), Status.Code.NOT_FOUND, "host");
    assertRefused(() -> dayu().getClusterInfo(GetClusterInfoRequest.newBuilder().setCluster("nowhere").build()),
        Status.Code.NOT_FOUND, "cluster");
    assertThat(nodes()).isEqualTo(before);
    assertThat(info().getNodesList()).extracting(NodeInfo::getNode).isEqualTo(before.getNodesList());
  }
}
