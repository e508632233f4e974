package io.feitian.dayu.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.feitian.dayu.descriptor.Descriptors;
import io.feitian.proto.dayu.v1.AddClusterRequest;
import io.feitian.proto.dayu.v1.AddNodeRequest;
import io.feitian.proto.dayu.v1.GetClusterInfoRequest;
import io.feitian.proto.dayu.v1.GetRolloutRequest;
import io.feitian.proto.dayu.v1.ListNodesRequest;
import io.feitian.proto.dayu.v1.ListRolloutsRequest;
import io.feitian.proto.dayu.v1.NodeTaskInfo;
import io.feitian.proto.dayu.v1.RolloutCommand;
import io.feitian.proto.dayu.v1.RolloutInfo;
import io.feitian.proto.dayu.v1.RolloutKind;
import io.feitian.proto.dayu.v1.RolloutStrategy;
import io.feitian.proto.dayu.v1.StartRolloutRequest;
import io.feitian.testkit.FreePorts;
import io.feitian.testkit.SimAgent;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollouts through a real dayu-server (gRPC on loopback, H2 in a temporary directory) and agents
 * speaking the real protocol ({@link SimAgent}): batches, failures and rollback, a node away and
 * repaired, a server restart in the middle, the interactive commands, and refusals.
 */
class RolloutsTest {
  private static final String CLUSTER = "prod";
  private static final List<String> HOSTS = List.of("n1", "n2", "n3", "n4");
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @TempDir
  Path dataDir;
  private DayuServerFixture server;
  private final List<SimAgent> agents = new ArrayList<>();

  @AfterEach
  void stop() {
    agents.forEach(SimAgent::close);
    if (server != null) {
      server.close();
    }
  }

  private void startServer(Map<String, Object> settings) {
    server = new DayuServerFixture(dataDir, settings);
  }

  /** A cluster of four worker nodes and module "app" 1.0.0 and 2.0.0 published. */
  private void cluster(Map<String, Object> settings) {
    startServer(settings);
    server.dayu().addCluster(AddClusterRequest.newBuilder().setName(CLUSTER).build());
    for (String host : HOSTS) {
      server.dayu().addNode(AddNodeRequest.newBuilder().setCluster(CLUSTER).setHost(host).setRack("r1")
          .addRoles("worker").build());
    }
    publish("app", "1.0.0");
    publish("app", "2.0.0");
  }

  private void publish(String module, String version) {
    server.database().modules().publish(module, version, (version.charAt(0) + "").repeat(64), 1,
        Descriptors.minimal(module, version, List.of("worker")), "test");
  }

  /** An agent for {@code host}, once its Watch is open (the server counts the node as up). */
  private SimAgent agent(String host, Map<String, String> installed) {
    SimAgent a = new SimAgent(server.target(), CLUSTER, host, installed);
    agents.add(a);
    await().atMost(DEADLINE).until(a::watching);
    return a;
  }

  private static RolloutStrategy.Builder batchesOf(String size) {
    return RolloutStrategy.newBuilder().addBatches(size).setMinHealthy("0s");
  }

  private RolloutInfo start(RolloutKind kind, String version, RolloutStrategy.Builder strategy) {
    return server.rollouts().startRollout(StartRolloutRequest.newBuilder().setCluster(CLUSTER).setKind(kind)
        .putTargets("app", version).setStrategy(strategy).build());
  }

  private RolloutInfo get(long id) {
    return server.rollouts().getRollout(GetRolloutRequest.newBuilder().setId(id).build());
  }

  private RolloutInfo awaitState(long id, String state) {
    await().atMost(DEADLINE).until(() -> get(id).getState().equals(state));
    return get(id);
  }

  private RolloutInfo command(long id, RolloutCommand.Verb verb) {
    return server.rollouts().command(RolloutCommand.newBuilder().setId(id).setVerb(verb).build());
  }

  /** Every agent, every step: none ran twice. */
  private void noStepRanTwice() {
    assertThat(agents).flatMap(SimAgent::stepsRunTwice).isEmpty();
  }

  @Test
  void deploysBatchByBatchAndRecordsTheClusterVersion() {
    cluster(Map.of());
    HOSTS.forEach(h -> agent(h, Map.of()));
    RolloutInfo started = start(RolloutKind.DEPLOY, "1.0.0", batchesOf("2"));

    RolloutInfo done = awaitState(started.getId(), "SUCCEEDED");

    assertThat(agents).allSatisfy(a -> assertThat(a.installed()).containsEntry("app", "1.0.0"));
    assertThat(done.getTasksList()).hasSize(4).allSatisfy(t -> {
      assertThat(t.getState()).isEqualTo("SUCCEEDED");
      assertThat(t.getStepsDone()).isEqualTo(t.getStepCount());
    });
    // Batch 1 started only after every step of batch 0 was done.
    Map<String, Integer> batchOf = new java.util.HashMap<>();
    done.getTasksList().forEach(t -> batchOf.put(t.getHost(), t.getBatch()));
    long lastOfFirst = agents.stream().filter(a -> batchOf.get(a.host()) == 0)
        .flatMap(a -> a.ran().stream()).mapToLong(SimAgent.Ran::seq).max().orElseThrow();
    long firstOfSecond = agents.stream().filter(a -> batchOf.get(a.host()) == 1)
        .flatMap(a -> a.ran().stream()).mapToLong(SimAgent.Ran::seq).min().orElseThrow();
    assertThat(firstOfSecond).isGreaterThan(lastOfFirst);
    assertThat(server.database().modules().clusterVersions(CLUSTER)).containsEntry("app", "1.0.0");
    assertThat(server.database().clusters().nodeModules(CLUSTER).get("n3")).containsEntry("app", "1.0.0");
    noStepRanTwice();
  }

  @Test
  void aFailedUpgradeStopsAndRollsTheTouchedNodesBack() {
    cluster(Map.of());
    HOSTS.forEach(h -> agent(h, Map.of("app", "1.0.0")).failAt("app", "2.0.0", h.equals("n2") ? 5 : 99));

    RolloutInfo started = start(RolloutKind.UPGRADE, "2.0.0", batchesOf("1"));
    RolloutInfo end = awaitState(started.getId(), "ROLLED_BACK");

    assertThat(end.getReason()).contains("1 failed node");
    assertThat(end.getTasksList()).filteredOn(t -> t.getHost().equals("n2") && t.getPurpose().equals("FORWARD"))
        .extracting(NodeTaskInfo::getState).containsExactly("ROLLED_BACK");
    await().atMost(DEADLINE).untilAsserted(() ->
        assertThat(agents).allSatisfy(a -> assertThat(a.installed()).containsEntry("app", "1.0.0")));
    // Batches of one: n2's failure stopped the rollout, and the nodes after it were never touched.
    assertThat(agents.stream().filter(a -> a.ran().stream().anyMatch(r -> r.toVersion().equals("2.0.0"))))
        .hasSizeLessThanOrEqualTo(2);
    assertThat(server.database().modules().clusterVersions(CLUSTER)).doesNotContainEntry("app", "2.0.0");
    noStepRanTwice();
  }

  @Test
  void aNodeAwayDuringTheRolloutIsRepairedWhenItsAgentReturns() {
    cluster(Map.of("dayu.rollouts.agent-grace", "1s"));
    List.of("n1", "n2", "n3").forEach(h -> agent(h, Map.of()));

    // n4, away, counts as unavailable: two more may be in a batch at once.
    RolloutInfo started = start(RolloutKind.DEPLOY, "1.0.0", batchesOf("2").setDefaultMaxUnavailable("3"));
    RolloutInfo done = awaitState(started.getId(), "SUCCEEDED");
    assertThat(done.getRepairsPending()).isTrue();
    assertThat(done.getTasksList()).filteredOn(t -> t.getHost().equals("n4"))
        .extracting(NodeTaskInfo::getState).containsExactly("DEFERRED");

    SimAgent n4 = agent("n4", Map.of());
    await().atMost(DEADLINE).until(() -> !get(started.getId()).getRepairsPending());
    assertThat(n4.installed()).containsEntry("app", "1.0.0");
    assertThat(get(started.getId()).getTasksList()).extracting(NodeTaskInfo::getState).containsOnly("SUCCEEDED");
    noStepRanTwice();
  }

  @Test
  void aNodeReplacingItsOwnAgentIsNotCountedAwayWhileItsNewAgentStarts() throws Exception {
    cluster(Map.of("dayu.rollouts.agent-grace", "1s"));
    String agentModule = io.feitian.dayu.launcher.LauncherFiles.MODULE;
    server.database().modules().publish(agentModule, "2.0.0", "2".repeat(64), 1,
        Descriptors.feitianText(agentModule).replaceFirst("(?m)^version = \"[^\"]*\"", "version = \"2.0.0\""),
        "test");
    List<String> steps = Descriptors.feitian(agentModule).deploy().stream().map(st -> st.kind().name()).toList();
    int healthCheck = steps.indexOf("HEALTH_CHECK");
    assertThat(steps.get(healthCheck - 1)).isEqualTo("START");
    // n1's old agent runs up to its start step (the switch), then is gone, as the launcher stops it.
    SimAgent old = agent("n1", Map.of());
    CountDownLatch atHealthCheck = old.holdAt(agentModule, "2.0.0", healthCheck);
    List.of("n2", "n3", "n4").forEach(h -> agent(h, Map.of()));

    RolloutInfo started = server.rollouts().startRollout(StartRolloutRequest.newBuilder().setCluster(CLUSTER)
        .setKind(RolloutKind.DEPLOY).putTargets(agentModule, "2.0.0")
        .setStrategy(batchesOf("100%").setDefaultMaxUnavailable("4")).build());
    await().atMost(DEADLINE).until(() -> old.ran().stream().anyMatch(r -> r.step() == healthCheck));
    old.close();
    agents.remove(old);
    assertThat(atHealthCheck.getCount()).isZero();
    // Three graces without n1's agent (a JVM starting on a loaded host): its task is not deferred,
    // and the rollout does not end before n1's new agent confirms.
    long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (System.nanoTime() < until) {
      RolloutInfo r = get(started.getId());
      assertThat(r.getState()).as("%s", r).isEqualTo("RUNNING");
      assertThat(r.getTasksList()).filteredOn(t -> t.getHost().equals("n1")).extracting(NodeTaskInfo::getState)
          .as("%s", r).containsExactly("RUNNING");
      Thread.sleep(100);
    }
    // The new agent registers and is sent the outstanding health check, which it passes.
    SimAgent replacement = agent("n1", Map.of());
    RolloutInfo done = awaitState(started.getId(), "SUCCEEDED");
    assertThat(done.getRepairsPending()).isFalse();
    assertThat(done.getTasksList()).extracting(NodeTaskInfo::getState).containsOnly("SUCCEEDED");
    assertThat(replacement.ran()).extracting(SimAgent.Ran::step).containsExactly(healthCheck);
  }

  @Test
  void aScaleInTakesItsNodesOutOfTheClusterOnceTheirModulesAreRemoved() {
    cluster(Map.of("dayu.rollouts.agent-grace", "1s"));
    List.of("n1", "n2", "n3").forEach(h -> agent(h, Map.of("app", "1.0.0")));
    // n4 runs app too, but its agent is away: its removal waits for it.
    server.database().clusters().reportModules(CLUSTER, "n4", Map.of("app", "1.0.0"));
    await().atMost(DEADLINE).until(() -> server.database().clusters().nodeModules(CLUSTER).size() == HOSTS.size());

    RolloutInfo started = server.rollouts().startRollout(StartRolloutRequest.newBuilder().setCluster(CLUSTER)
        .setKind(RolloutKind.SCALE_IN).addNodes("n3").addNodes("n4")
        .setStrategy(batchesOf("1").setDefaultMaxUnavailable("3")).build());
    RolloutInfo done = awaitState(started.getId(), "SUCCEEDED");

    assertThat(done.getTasksList()).filteredOn(t -> t.getHost().equals("n4"))
        .extracting(NodeTaskInfo::getState).containsExactly("DEFERRED");
    assertThat(agents.get(2).installed()).doesNotContainKey("app");
    // n3 is out of the cluster: no longer a node, nor in the cluster information.
    await().atMost(DEADLINE).until(() -> hosts().equals(List.of("n1", "n2", "n4")));
    assertThat(infoHosts()).containsExactly("n1", "n2", "n4");

    SimAgent n4 = agent("n4", Map.of("app", "1.0.0"));
    await().atMost(DEADLINE).until(() -> !get(started.getId()).getRepairsPending());
    assertThat(n4.installed()).doesNotContainKey("app");
    assertThat(hosts()).containsExactly("n1", "n2");
    assertThat(infoHosts()).containsExactly("n1", "n2");
    assertThat(get(started.getId()).getTasksList()).extracting(NodeTaskInfo::getHost).contains("n3", "n4");
    noStepRanTwice();
  }

  private List<String> hosts() {
    return server.dayu().listNodes(ListNodesRequest.newBuilder().setCluster(CLUSTER).build()).getNodesList().stream()
        .map(io.feitian.proto.dayu.v1.Node::getHost).toList();
  }

  private List<String> infoHosts() {
    return server.dayu().getClusterInfo(GetClusterInfoRequest.newBuilder().setCluster(CLUSTER).build()).getNodesList()
        .stream().map(n -> n.getNode().getHost()).toList();
  }

  @Test
  void aRestartedServerContinuesFromTheDatabaseWithoutRedoingASteps() {
    int port = FreePorts.one();
    Map<String, Object> settings = Map.of("dayu.server.port", port, "dayu.rollouts.agent-grace", "5s");
    cluster(settings);
    HOSTS.forEach(h -> agent(h, Map.of()));
    CountDownLatch held = agents.get(0).holdAt("app", "1.0.0", 3);
    RolloutInfo started = start(RolloutKind.DEPLOY, "1.0.0", batchesOf("4").setDefaultMaxUnavailable("4"));
    await().atMost(DEADLINE).until(() -> get(started.getId()).getTasksList().stream()
        .filter(t -> !t.getHost().equals("n1")).allMatch(t -> t.getState().equals("SUCCEEDED")));

    server.close();
    startServer(settings);
    held.countDown();

    RolloutInfo done = awaitState(started.getId(), "SUCCEEDED");
    assertThat(done.getTasksList()).allSatisfy(t -> assertThat(t.getState()).isEqualTo("SUCCEEDED"));
    assertThat(agents.get(0).ran()).extracting(SimAgent.Ran::step).containsExactly(0, 1, 2, 3, 4, 5);
    noStepRanTwice();
  }

  @Test
  void anInteractiveRolloutWaitsForEachApprovalAndObeysPauseAndAbort() {
    cluster(Map.of());
    HOSTS.forEach(h -> agent(h, Map.of()));
    RolloutInfo r = start(RolloutKind.DEPLOY, "1.0.0", batchesOf("1").setInteractive(true));
    long id = r.getId();
    assertThat(r.getAwaitingApproval()).isTrue();
    assertThat(agents).allSatisfy(a -> assertThat(a.ran()).isEmpty());
    // The plan tells what the operator approves: no task yet, the batches of the first phase.
    assertThat(r.getTasksList()).isEmpty();
    assertThat(r.getPhasesList()).singleElement().satisfies(p -> {
      assertThat(p.getModule()).isEqualTo("app");
      assertThat(p.getPlanned()).isTrue();
      assertThat(p.getBatchesList()).extracting(b -> List.copyOf(b.getHostsList())).containsExactly(List.of("n1"), List.of("n2"),
          List.of("n3"), List.of("n4"));
    });
    assertThat(List.of(r.getCurrentPhase(), r.getCurrentBatch())).containsExactly(0, 0);

    command(id, RolloutCommand.Verb.APPROVE);
    await().atMost(DEADLINE).until(() -> get(id).getAwaitingApproval());
    assertThat(get(id).getCurrentBatch()).isEqualTo(1);
    assertThat(get(id).getTasksList()).filteredOn(t -> t.getState().equals("SUCCEEDED")).hasSize(1);

    assertThat(command(id, RolloutCommand.Verb.PAUSE).getPaused()).isTrue();
    assertThat(command(id, RolloutCommand.Verb.RESUME).getPaused()).isFalse();
    RolloutInfo aborted = command(id, RolloutCommand.Verb.ABORT);
    assertThat(aborted.getState()).isEqualTo("ABORTED");
    assertThat(aborted.getReason()).contains("aborted by the operator");
    assertThatThrownBy(() -> command(id, RolloutCommand.Verb.APPROVE))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
    assertThat(agents.stream().mapToLong(a -> a.ran().size()).sum()).isEqualTo(6);

    // An aborted rollout frees the cluster for the next one.
    RolloutInfo next = start(RolloutKind.DEPLOY, "1.0.0", batchesOf("4"));
    awaitState(next.getId(), "SUCCEEDED");
    assertThat(server.rollouts().listRollouts(ListRolloutsRequest.newBuilder().setCluster(CLUSTER).build())
        .getRolloutsList()).extracting(RolloutInfo::getId).containsExactly(next.getId(), id);
  }

  @Test
  void badRequestsAreRefusedNamingTheProblemAndChangeNothing() {
    cluster(Map.of());
    HOSTS.forEach(h -> agent(h, Map.of()));
    assertRefused(Status.Code.NOT_FOUND, "cluster", () -> server.rollouts().startRollout(
        StartRolloutRequest.newBuilder().setCluster("nope").setKind(RolloutKind.DEPLOY).putTargets("app", "1.0.0")
            .build()));
    assertRefused(Status.Code.INVALID_ARGUMENT, "kind", () -> server.rollouts().startRollout(
        StartRolloutRequest.newBuilder().setCluster(CLUSTER).putTargets("app", "1.0.0").build()));
    assertRefused(Status.Code.INVALID_ARGUMENT, "3.0.0", () -> start(RolloutKind.DEPLOY, "3.0.0", batchesOf("1")));
    assertRefused(Status.Code.INVALID_ARGUMENT, "strategy.batches[0]",
        () -> start(RolloutKind.DEPLOY, "1.0.0", batchesOf("0%")));
    assertRefused(Status.Code.INVALID_ARGUMENT, "strategy.task_timeout",
        () -> start(RolloutKind.DEPLOY, "1.0.0", batchesOf("1").setTaskTimeout("soon")));
    assertRefused(Status.Code.NOT_FOUND, "rollout 42",
        () -> command(42, RolloutCommand.Verb.PAUSE));
    assertThat(server.rollouts().listRollouts(ListRolloutsRequest.newBuilder().setCluster(CLUSTER).build())
        .getRolloutsList()).isEmpty();

    RolloutInfo waiting = start(RolloutKind.DEPLOY, "1.0.0", batchesOf("1").setInteractive(true));
    assertRefused(Status.Code.FAILED_PRECONDITION, "rollout " + waiting.getId(),
        () -> start(RolloutKind.DEPLOY, "2.0.0", batchesOf("1")));
    assertRefused(Status.Code.FAILED_PRECONDITION, "not paused",
        () -> command(waiting.getId(), RolloutCommand.Verb.RESUME));
    assertThat(server.rollouts().listRollouts(ListRolloutsRequest.newBuilder().setCluster(CLUSTER).build())
        .getRolloutsList()).hasSize(1);
  }

  private static void assertRefused(Status.Code code, String named, Runnable call) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(code);
      assertThat(e.getStatus().getDescription()).contains(named);
    });
  }
}
