package io.feitian.dayu.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.dayu.db.ParamChange;
import io.feitian.dayu.db.ParamScope;
import io.feitian.proto.dayu.v1.AddClusterRequest;
import io.feitian.proto.dayu.v1.AddNodeRequest;
import io.feitian.proto.dayu.v1.GetRolloutRequest;
import io.feitian.proto.dayu.v1.NodeTaskInfo;
import io.feitian.proto.dayu.v1.RolloutInfo;
import io.feitian.proto.dayu.v1.RolloutKind;
import io.feitian.proto.dayu.v1.RolloutStrategy;
import io.feitian.proto.dayu.v1.StartRolloutRequest;
import io.feitian.testkit.FreePorts;
import io.feitian.testkit.SamplePackages;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollouts end to end: a real dayu-server and real dayu-agents as processes (each with its own root
 * directory standing for a node) deploying and upgrading a module that really serves HTTP (python3's
 * http.server, a process per node, health-checked over HTTP), an agent stopped during a rollout and
 * repairing its node when it starts again, and a version whose health check fails rolled back.
 */
class RealAgentsTest {
  private static final String CLUSTER = "prod";
  private static final String MODULE = "web";
  private static final List<String> HOSTS = List.of("n1", "n2", "n3");
  private static final Duration DEADLINE = Duration.ofSeconds(90);
  private static final Set<String> SETTLED = Set.of("SUCCEEDED", "FAILED", "ABORTED", "ROLLED_BACK");

  @TempDir
  Path dir;
  private DayuServerFixture server;
  private AgentProcesses agents;
  private final Map<String, Integer> ports = new LinkedHashMap<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    if (agents != null) {
      agents.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** A dayu-agent process for {@code host}, its log in the test's directory. */
  private void startAgent(String host) {
    agents.start(host, server.target());
  }

  private RolloutInfo rollout(RolloutKind kind, String version) {
    RolloutInfo started = server.rollouts().startRollout(StartRolloutRequest.newBuilder().setCluster(CLUSTER)
        .setKind(kind).putTargets(MODULE, version)
        .setStrategy(RolloutStrategy.newBuilder().addBatches("1").setMinHealthy("0s").setDefaultMaxUnavailable("2"))
        .build());
    await().atMost(DEADLINE).until(() -> SETTLED.contains(get(started.getId()).getState()));
    return get(started.getId());
  }

  private RolloutInfo get(long id) {
    return server.rollouts().getRollout(GetRolloutRequest.newBuilder().setId(id).build());
  }

  /** What the node's module process says it runs, over HTTP; "" when nothing answers. */
  private String served(String host) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + ports.get(host) + "/VERSION")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  @Test
  void deploysUpgradesRepairsANodeThatWasAwayAndRollsBackABadVersion() {
    server = new DayuServerFixture(dir.resolve("server"), Map.of("dayu.rollouts.agent-grace", "2s"));
    agents = new AgentProcesses(dir, CLUSTER, MODULE);
    server.dayu().addCluster(AddClusterRequest.newBuilder().setName(CLUSTER).build());
    int port = FreePorts.block(HOSTS.size());
    for (String host : HOSTS) {
      server.dayu().addNode(AddNodeRequest.newBuilder().setCluster(CLUSTER).setHost(host).setRack("r1")
          .addRoles("worker").build());
      ports.put(host, port++);
    }
    server.upload(MODULE, "1.0.0", SamplePackages.serving(MODULE, "1.0.0", "health"));
    server.upload(MODULE, "2.0.0", SamplePackages.serving(MODULE, "2.0.0", "health"));
    server.upload(MODULE, "3.0.0", SamplePackages.serving(MODULE, "3.0.0", "missing"));
    server.database().params().set(CLUSTER, "test", "a port per node", HOSTS.stream()
        .map(h -> ParamChange.set(MODULE, ParamScope.NODE, h, "port", String.valueOf(ports.get(h)))).toList());
    HOSTS.forEach(this::startAgent);
    await().atMost(DEADLINE).until(() -> server.database().clusters().nodes(CLUSTER).stream()
        .allMatch(n -> n.lastSeenAt().isPresent()));

    RolloutInfo deploy = rollout(RolloutKind.DEPLOY, "1.0.0");
    assertThat(deploy.getState()).isEqualTo("SUCCEEDED");
    // An agent registered but not yet watching when the rollout started counted as away: wait for its repair.
    await().atMost(DEADLINE).until(() -> !get(deploy.getId()).getRepairsPending());
    assertThat(HOSTS).allSatisfy(h -> assertThat(served(h)).isEqualTo("1.0.0"));

    // n3's agent is killed: the upgrade goes on without it, and n3 is brought up to date on its return.
    agents.kill("n3");
    RolloutInfo upgrade = rollout(RolloutKind.UPGRADE, "2.0.0");
    assertThat(upgrade.getState()).isEqualTo("SUCCEEDED");
    assertThat(upgrade.getRepairsPending()).isTrue();
    assertThat(served("n1")).isEqualTo("2.0.0");
    assertThat(served("n3")).isEqualTo("1.0.0");
    startAgent("n3");
    await().atMost(DEADLINE).until(() -> !get(upgrade.getId()).getRepairsPending());
    assertThat(get(upgrade.getId()).getTasksList()).extracting(NodeTaskInfo::getState).containsOnly("SUCCEEDED");
    assertThat(HOSTS).allSatisfy(h -> assertThat(served(h)).isEqualTo("2.0.0"));

    // 3.0.0 never becomes healthy: the first node fails its health check, and is rolled back.
    RolloutInfo bad = rollout(RolloutKind.UPGRADE, "3.0.0");
    assertThat(bad.getState()).isEqualTo("ROLLED_BACK");
    assertThat(HOSTS).allSatisfy(h -> assertThat(served(h)).isEqualTo("2.0.0"));
    assertThat(server.database().modules().clusterVersions(CLUSTER)).containsEntry(MODULE, "2.0.0");
  }
}
