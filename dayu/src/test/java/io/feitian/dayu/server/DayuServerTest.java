package io.feitian.dayu.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.common.security.Role;
import io.feitian.proto.dayu.v1.AddClusterRequest;
import io.feitian.proto.dayu.v1.AddNodeRequest;
import io.feitian.proto.dayu.v1.Cluster;
import io.feitian.proto.dayu.v1.DayuServiceGrpc;
import io.feitian.proto.dayu.v1.GetParamsRequest;
import io.feitian.proto.dayu.v1.GetParamsResponse;
import io.feitian.proto.dayu.v1.ListClustersRequest;
import io.feitian.proto.dayu.v1.ListModulesRequest;
import io.feitian.proto.dayu.v1.ListModulesResponse;
import io.feitian.proto.dayu.v1.ListNodesRequest;
import io.feitian.proto.dayu.v1.ListNodesResponse;
import io.feitian.proto.dayu.v1.ModuleVersion;
import io.feitian.proto.dayu.v1.Node;
import io.feitian.proto.dayu.v1.ParamChange;
import io.feitian.proto.dayu.v1.ParamDelta;
import io.feitian.proto.dayu.v1.ParamRevision;
import io.feitian.proto.dayu.v1.ParamScope;
import io.feitian.proto.dayu.v1.ParamsDiffRequest;
import io.feitian.proto.dayu.v1.ParamsHistoryRequest;
import io.feitian.proto.dayu.v1.ParamsHistoryResponse;
import io.feitian.proto.dayu.v1.RemoveNodeRequest;
import io.feitian.proto.dayu.v1.SetParamsRequest;
import io.feitian.testkit.SamplePackages;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dayu-server's operator API over real gRPC on loopback and an H2 database in a temporary directory
 * (the packages themselves: {@link PackageUploadTest}).
 */
class DayuServerTest {
  @TempDir
  Path dataDir;
  private DayuServerFixture fixture;

  @BeforeEach
  void start() {
    fixture = new DayuServerFixture(dataDir);
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  private DayuServiceGrpc.DayuServiceBlockingStub dayu() {
    return fixture.dayu();
  }

  private ModuleVersion publish(String name, String version, String... deps) {
    return fixture.publish(name, version, deps);
  }

  private void addNode(String cluster, String host, String... roles) {
    dayu().addNode(AddNodeRequest.newBuilder().setCluster(cluster).setHost(host).setRack("rack-a")
        .addAllRoles(List.of(roles)).build());
  }

  private static ParamChange set(ParamScope scope, String target, String key, String value) {
    return ParamChange.newBuilder().setModule("app").setScope(scope).setTarget(target).setKey(key).setValue(value)
        .build();
  }

  private ParamRevision setParams(String reason, ParamChange... changes) {
    return dayu().setParams(SetParamsRequest.newBuilder().setCluster("prod").setAuthor("alice").setReason(reason)
        .addAllChanges(List.of(changes)).build());
  }

  /** A cluster "prod" with nodes n1 (worker) and n2 (worker, gpu), and module app 1.0.0. */
  private void seed() {
    dayu().addCluster(AddClusterRequest.newBuilder().setName("prod").setDescription("production").build());
    addNode("prod", "n1", "worker");
    addNode("prod", "n2", "worker", "gpu");
    publish("app", "1.0.0");
  }

  private static void assertRefused(ThrowingCallable call, Status.Code code, String descriptionStart) {
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(code);
      assertThat(e.getStatus().getDescription()).startsWith(descriptionStart);
    });
  }

  @Test
  void clustersAndNodes() {
    Cluster added = dayu().addCluster(AddClusterRequest.newBuilder().setName("prod").setDescription("production")
        .build());
    assertThat(added.getName()).isEqualTo("prod");
    assertThat(added.getParamRevision()).isZero();
    dayu().addCluster(AddClusterRequest.newBuilder().setName("staging").build());
    assertThat(dayu().listClusters(ListClustersRequest.getDefaultInstance()).getClustersList())
        .extracting(Cluster::getName).containsExactly("prod", "staging");

    addNode("prod", "n2", "worker", "gpu");
    addNode("prod", "n1", "worker");
    List<Node> nodes = dayu().listNodes(ListNodesRequest.newBuilder().setCluster("prod").build()).getNodesList();
    assertThat(nodes).extracting(Node::getHost).containsExactly("n1", "n2");
    assertThat(nodes.get(1).getRolesList()).containsExactly("gpu", "worker");
    assertThat(nodes.get(1).getState()).isEqualTo("NEW");
    assertThat(nodes.get(1).getRack()).isEqualTo("rack-a");
    assertThat(nodes.get(1).getLastSeenAtMs()).isZero();

    dayu().removeNode(RemoveNodeRequest.newBuilder().setCluster("prod").setHost("n1").build());
    assertThat(dayu().listNodes(ListNodesRequest.newBuilder().setCluster("prod").build()).getNodesList())
        .extracting(Node::getHost).containsExactly("n2");
  }

  @Test
  void publishesAndListsModules() {
    ModuleVersion first = publish("app", "1.0.0");
    byte[] bytes = SamplePackages.sample("app", "1.0.0");
    assertThat(first.getPublishedBy()).isEqualTo("anonymous"); // the caller, authentication being off
    assertThat(first.getSizeBytes()).isEqualTo(bytes.length);
    assertThat(first.getSha256()).isEqualTo(SamplePackages.sha256(bytes));
    assertThat(first.getDescriptorText()).isEqualTo(SamplePackages.sampleDescriptor("app", "1.0.0"));
    publish("app", "1.1.0");
    publish("base", "2.0.0");
    assertThat(publish("app", "1.0.0")).isEqualTo(first); // the same again: the stored version

    ListModulesResponse modules = dayu().listModules(ListModulesRequest.getDefaultInstance());
    assertThat(modules.getModulesList()).extracting(m -> m.getName()).containsExactly("app", "base");
    assertThat(modules.getModules(0).getVersionsList()).extracting(ModuleVersion::getVersion)
        .containsExactly("1.1.0", "1.0.0");
    assertThat(modules.getModules(0).getVersions(1)).isEqualTo(first);
  }

  @Test
  void parametersWithHistoryDiffAndEffectiveValues() {
    seed();
    ParamRevision r1 = setParams("defaults", set(ParamScope.PARAM_SCOPE_MODULE, "", "port", "8080"),
        set(ParamScope.PARAM_SCOPE_ROLE, "gpu", "timeout", "2m"));
    assertThat(r1.getRevision()).isEqualTo(1);
    assertThat(r1.getChanges(1).getValue()).isEqualTo("120000ms"); // stored in the type's canonical form
    ParamRevision r2 = setParams("n2 is special", set(ParamScope.PARAM_SCOPE_NODE, "n2", "port", "9090"),
        ParamChange.newBuilder().setModule("app").setScope(ParamScope.PARAM_SCOPE_ROLE).setTarget("gpu")
            .setKey("timeout").build());
    assertThat(r2.getRevision()).isEqualTo(2);

    GetParamsResponse atOne = dayu().getParams(GetParamsRequest.newBuilder().setCluster("prod").setModule("app")
        .setRevision(1).build());
    assertThat(atOne.getRevision()).isEqualTo(1);
    assertThat(atOne.getValuesList()).extracting(v -> v.getKey() + "=" + v.getValue() + "@" + v.getSetIn())
        .containsExactlyInAnyOrder("port=8080@1", "timeout=120000ms@1");
    GetParamsResponse now = dayu().getParams(GetParamsRequest.newBuilder().setCluster("prod").setModule("app")
        .build());
    assertThat(now.getRevision()).isEqualTo(2);
    assertThat(now.getValuesList()).extracting(v -> v.getTarget() + ":" + v.getKey() + "=" + v.getValue())
        .containsExactlyInAnyOrder(":port=8080", "n2:port=9090");
    assertThat(dayu().getParams(GetParamsRequest.newBuilder().setCluster("prod").setModule("app").setNode("n2")
        .build()).getEffectiveMap()).containsExactly(Map.entry("port", "9090"));
    assertThat(dayu().getParams(GetParamsRequest.newBuilder().setCluster("prod").setModule("app").setNode("n1")
        .build()).getEffectiveMap()).containsExactly(Map.entry("port", "8080"));

    ParamsHistoryResponse history = dayu().paramsHistory(ParamsHistoryRequest.newBuilder().setCluster("prod")
        .build());
    assertThat(history.getRevisionsList()).extracting(ParamRevision::getRevision).containsExactly(2L, 1L);
    assertThat(history.getRevisions(0).getAuthor()).isEqualTo("alice");
    assertThat(history.getRevisions(0).getReason()).isEqualTo("n2 is special");
    assertThat(history.getRevisions(0).getChanges(1).hasValue()).isFalse();

    List<ParamDelta> deltas = dayu().paramsDiff(ParamsDiffRequest.newBuilder().setCluster("prod")
        .setFromRevision(1).setToRevision(2).build()).getDeltasList();
    assertThat(deltas).extracting(d -> d.getTarget() + ":" + d.getKey() + " " + (d.hasBefore() ? d.getBefore() : "-")
        + " -> " + (d.hasAfter() ? d.getAfter() : "-"))
        .containsExactlyInAnyOrder("n2:port - -> 9090", "gpu:timeout 120000ms -> -");
  }

  @Test
  void refusedClusterAndNodeRequestsChangeNothing() {
    seed();
    assertRefused(() -> dayu().addCluster(AddClusterRequest.newBuilder().setName("no spaces").build()),
        Status.Code.INVALID_ARGUMENT, "cluster");
    assertRefused(() -> dayu().addCluster(AddClusterRequest.newBuilder().setName("prod").build()),
        Status.Code.ALREADY_EXISTS, "cluster");
    assertThat(dayu().listClusters(ListClustersRequest.getDefaultInstance()).getClustersList())
        .extracting(Cluster::getName).containsExactly("prod");

    assertRefused(() -> addNode("nowhere", "n9", "worker"), Status.Code.NOT_FOUND, "cluster");
    assertRefused(() -> addNode("prod", "n1", "gpu"), Status.Code.ALREADY_EXISTS, "host");
    assertRefused(() -> addNode("prod", "-bad-", "worker"), Status.Code.INVALID_ARGUMENT, "host");
    assertRefused(() -> addNode("prod", "n9", "Bad Role"), Status.Code.INVALID_ARGUMENT, "roles");
    assertRefused(() -> dayu().listNodes(ListNodesRequest.newBuilder().setCluster("nowhere").build()),
        Status.Code.NOT_FOUND, "cluster");
    assertRefused(() -> dayu().removeNode(RemoveNodeRequest.newBuilder().setCluster("prod").setHost("n9").build()),
        Status.Code.NOT_FOUND, "host");
    List<Node> nodes = dayu().listNodes(ListNodesRequest.newBuilder().setCluster("prod").build()).getNodesList();
    assertThat(nodes).extracting(n -> n.getHost() + n.getRolesList()).containsExactly("n1[worker]", "n2[gpu, worker]");
  }

  @Test
  void refusedPublicationsChangeNothing() {
    seed();
    final ListModulesResponse before = dayu().listModules(ListModulesRequest.getDefaultInstance());

    byte[] app110 = SamplePackages.sample("app", "1.1.0");
    assertRefused(() -> fixture.upload(DayuServerFixture.header("app", "1.1.0", app110).setSha256("not-a-checksum")
        .build(), app110), Status.Code.INVALID_ARGUMENT, "sha256 must be 64 lowercase hexadecimal digits");
    byte[] otherApp100 = SamplePackages.sample("app", "1.0.0", "base >= 1.0");
    assertRefused(() -> fixture.upload("app", "1.0.0", otherApp100), Status.Code.INVALID_ARGUMENT,
        "sha256 version '1.0.0' of module 'app' was published with checksum");
    String unknownStep = SamplePackages.sampleDescriptor("app", "1.1.0")
        .replace("deploy = [fetch,", "deploy = [restart, fetch,");
    assertRefused(() -> fixture.upload("app", "1.1.0", packageWith(unknownStep)), Status.Code.INVALID_ARGUMENT,
        "descriptor dayu-module.conf:5: deploy[0] is not a step");
    assertRefused(() -> fixture.upload("app", "1.2.0", app110), Status.Code.INVALID_ARGUMENT,
        "descriptor describes app 1.1.0, not app 1.2.0 as the header says");
    assertRefused(() -> fixture.upload("app", "1.2.0", packageWith(" ")), Status.Code.INVALID_ARGUMENT,
        "descriptor is required");
    assertThat(dayu().listModules(ListModulesRequest.getDefaultInstance())).isEqualTo(before);

    publish("base", "1.0.0", "app >= 1.0");
    ListModulesResponse withBase = dayu().listModules(ListModulesRequest.getDefaultInstance());
    assertRefused(() -> publish("app", "1.1.0", "base >= 1.0"), Status.Code.INVALID_ARGUMENT,
        "descriptor dependency cycle: app -> base -> app");
    assertThat(dayu().listModules(ListModulesRequest.getDefaultInstance())).isEqualTo(withBase);
  }

  private static byte[] packageWith(String descriptor) {
    return SamplePackages.tarGz(Map.of(SamplePackages.DESCRIPTOR, descriptor));
  }

  @Test
  void refusedParameterRequestsChangeNothing() {
    seed();
    setParams("defaults", set(ParamScope.PARAM_SCOPE_MODULE, "", "port", "8080"));
    ParamsHistoryResponse before = dayu().paramsHistory(ParamsHistoryRequest.newBuilder().setCluster("prod")
        .build());

    assertRefused(() -> setParams("typo", set(ParamScope.PARAM_SCOPE_MODULE, "", "timeout", "5s"),
        set(ParamScope.PARAM_SCOPE_MODULE, "", "port", "eighty")), Status.Code.INVALID_ARGUMENT,
        "changes[1].value must be a whole number (type int), got \"eighty\"");
    assertRefused(() -> setParams("typo", set(ParamScope.PARAM_SCOPE_MODULE, "", "prot", "80")),
        Status.Code.INVALID_ARGUMENT, "changes[0].key app 1.0.0 declares no parameter \"prot\"");
    assertRefused(() -> setParams("gone", set(ParamScope.PARAM_SCOPE_NODE, "n9", "port", "80")),
        Status.Code.NOT_FOUND, "changes[0].target");
    assertRefused(() -> setParams("", set(ParamScope.PARAM_SCOPE_MODULE, "", "port", "80")),
        Status.Code.INVALID_ARGUMENT, "reason");
    assertRefused(() -> setParams("no scope", set(ParamScope.PARAM_SCOPE_UNSPECIFIED, "", "port", "80")),
        Status.Code.INVALID_ARGUMENT, "changes[0].scope");
    assertRefused(() -> setParams("other module", set(ParamScope.PARAM_SCOPE_MODULE, "", "port", "80").toBuilder()
        .setModule("ghost").build()), Status.Code.NOT_FOUND, "changes[0].module");
    assertRefused(() -> dayu().setParams(SetParamsRequest.newBuilder().setCluster("nowhere").setReason("r")
        .addChanges(set(ParamScope.PARAM_SCOPE_MODULE, "", "port", "80")).build()), Status.Code.NOT_FOUND, "cluster");
    assertThat(dayu().paramsHistory(ParamsHistoryRequest.newBuilder().setCluster("prod").build())).isEqualTo(before);

    assertRefused(() -> dayu().getParams(GetParamsRequest.newBuilder().setCluster("prod").setModule("app")
        .setRevision(7).build()), Status.Code.INVALID_ARGUMENT, "revision");
    assertRefused(() -> dayu().getParams(GetParamsRequest.newBuilder().setCluster("prod").setModule("app")
        .setNode("n1").setRevision(1).build()), Status.Code.INVALID_ARGUMENT, "revision");
    assertRefused(() -> dayu().getParams(GetParamsRequest.newBuilder().setCluster("prod").setModule("app")
        .setNode("n9").build()), Status.Code.NOT_FOUND, "host");
    assertRefused(() -> dayu().paramsHistory(ParamsHistoryRequest.newBuilder().setCluster("prod")
        .setModule("ghost").build()), Status.Code.NOT_FOUND, "module");
    assertRefused(() -> dayu().paramsDiff(ParamsDiffRequest.newBuilder().setCluster("prod").setFromRevision(0)
        .setToRevision(5).build()), Status.Code.INVALID_ARGUMENT, "to");
  }

  @Test
  void restartedServerKeepsEverything() {
    seed();
    setParams("defaults", set(ParamScope.PARAM_SCOPE_MODULE, "", "port", "8080"));
    var clusters = dayu().listClusters(ListClustersRequest.getDefaultInstance());
    var nodes = dayu().listNodes(ListNodesRequest.newBuilder().setCluster("prod").build());
    var modules = dayu().listModules(ListModulesRequest.getDefaultInstance());
    var history = dayu().paramsHistory(ParamsHistoryRequest.newBuilder().setCluster("prod").build());

    fixture.close();
    fixture = new DayuServerFixture(dataDir);

    assertThat(dayu().listClusters(ListClustersRequest.getDefaultInstance())).isEqualTo(clusters);
    assertThat(clusters.getClusters(0).getParamRevision()).isEqualTo(1);
    assertThat(dayu().listNodes(ListNodesRequest.newBuilder().setCluster("prod").build())).isEqualTo(nodes);
    assertThat(dayu().listModules(ListModulesRequest.getDefaultInstance())).isEqualTo(modules);
    assertThat(dayu().paramsHistory(ParamsHistoryRequest.newBuilder().setCluster("prod").build())).isEqualTo(history);
    assertThat(setParams("after restart", set(ParamScope.PARAM_SCOPE_MODULE, "", "port", "8081")).getRevision())
        .isEqualTo(2);
  }

  @Test
  void readsNeedReaderAndWritesAdmin() {
    Set<String> reads = Set.of("ListClusters", "ListNodes", "GetClusterInfo", "ListModules", "FetchPackage",
        "GetParams", "ParamsHistory", "ParamsDiff");
    for (MethodDescriptor<?, ?> m : DayuServiceGrpc.getServiceDescriptor().getMethods()) {
      Role expected = reads.contains(m.getBareMethodName()) ? Role.READER : Role.ADMIN;
      assertThat(DayuServer.methodPolicy().requiredRole(m.getFullMethodName())).as(m.getFullMethodName())
          .isEqualTo(expected);
    }
  }
}
