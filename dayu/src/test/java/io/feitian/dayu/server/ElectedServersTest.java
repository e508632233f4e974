package io.feitian.dayu.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.feitian.common.config.ConfigLoader;
import io.feitian.dayu.agent.DayuAgent;
import io.feitian.dayu.descriptor.Descriptors;
import io.feitian.proto.dayu.v1.AddClusterRequest;
import io.feitian.proto.dayu.v1.AddNodeRequest;
import io.feitian.proto.dayu.v1.GetRolloutRequest;
import io.feitian.proto.dayu.v1.ListClustersRequest;
import io.feitian.proto.dayu.v1.ListNodesRequest;
import io.feitian.proto.dayu.v1.RolloutKind;
import io.feitian.proto.dayu.v1.RolloutStrategy;
import io.feitian.proto.dayu.v1.StartRolloutRequest;
import io.feitian.testkit.PostgresForClass;
import io.feitian.testkit.PrivatePostgres;
import io.feitian.testkit.SamplePackages;
import io.feitian.testkit.SimAgent;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two dayu-servers elected through a real ZooKeeper (in-process) over one real PostgreSQL: the
 * standby refuses naming the leader, and takes over a rollout when the leader goes, without any
 * agent ({@link SimAgent}, speaking the real protocol) running a step twice.
 */
class ElectedServersTest {
  private static final String CLUSTER = "prod";
  private static final List<String> HOSTS = List.of("n1", "n2", "n3", "n4");
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  @RegisterExtension
  static final PostgresForClass postgres = new PostgresForClass();

  @TempDir
  Path dir;
  private TestingServer zk;
  private final List<DayuServerFixture> servers = new ArrayList<>();
  private final List<SimAgent> agents = new ArrayList<>();
  private DayuAgent realAgent;
  private long rolloutId;

  @BeforeEach
  void startZooKeeper() throws Exception {
    zk = new TestingServer(new InstanceSpec(dir.resolve("zk").toFile(), -1, -1, -1, true, -1, 200, -1), true);
  }

  @AfterEach
  void stop() throws Exception {
    agents.forEach(SimAgent::close);
    if (realAgent != null) {
      realAgent.close();
    }
    servers.forEach(DayuServerFixture::close);
    if (zk != null) {
      zk.close();
    }
  }

  /**
   * A server with election on, its web UI on a free port, its own data directory, and the shared database {@code url}. Every
   * agent here stays up: the grace only has to cover an agent's move to the new leader, which took
   * more than 3 s on a loaded machine (the node was then deferred as away).
   */
  private DayuServerFixture server(String name, String url) {
    DayuServerFixture s = new DayuServerFixture(dir.resolve(name), Map.of("dayu.server.election", true,
        "dayu.database.url", url, "dayu.database.user", PrivatePostgres.USER, "dayu.database.password", "",
        "feitian.zookeeper.connect", zk.getConnectString(), "dayu.rollouts.agent-grace", "10s",
        "dayu.server.http.port", 0));
    servers.add(s);
    return s;
  }

  @Test
  void theStandbyRefusesNamingTheLeaderThenTakesOverARolloutWithoutRedoingAStep() {
    String url = postgres.createDatabase();
    DayuServerFixture first = server("a", url);
    await().atMost(DEADLINE).until(first::isLeader);
    DayuServerFixture second = server("b", url);

    assertThat(second.isLeader()).isFalse();
    assertThatThrownBy(() -> second.dayu().listClusters(ListClustersRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getStatus().getDescription()).contains("leader=" + first.target());
        });
    // The web UI refuses alike: 503 naming the leader, so a browser on the standby knows where to go.
    HttpResponse<String> standbyPage = get(second, "/api/clusters");
    assertThat(standbyPage.statusCode()).isEqualTo(503);
    assertThat(standbyPage.body()).contains("leader=" + first.target());

    // A package the leader received (kept in the shared database, not in its data directory).
    byte[] tool = SamplePackages.large("tool", "1.0.0", 3 * 1024 * 1024);
    first.upload("tool", "1.0.0", tool);
    // The agents try the standby first: its answer sends them to the leader.
    CountDownLatch held = rolloutHeldMidway(first, List.of(second.target(), first.target()));

    first.close();
    servers.remove(first);
    await().atMost(DEADLINE).until(second::isLeader);
    held.countDown();

    finishesOn(second);
    assertThat(get(second, "/api/clusters").statusCode()).isEqualTo(200);
    // The new leader, with a data directory of its own, serves what the old one stored.
    assertThat(second.fetch("tool", "1.0.0", new ArrayList<>())).isEqualTo(tool);
  }

  @Test
  void aLeaderCutOffFromZooKeeperStepsDownAndItsAgentsMoveToTheNewLeader() throws Exception {
    String url = postgres.createDatabase();
    DayuServerFixture first = server("a", url);
    await().atMost(DEADLINE).until(first::isLeader);
    DayuServerFixture second = server("b", url);
    CountDownLatch held = rolloutHeldMidway(first, List.of(first.target(), second.target()));

    // The first server lives on, its gRPC server open: only ending its Watch streams moves the agents.
    first.expireZooKeeperSession();
    await().atMost(DEADLINE).until(second::isLeader);
    held.countDown();

    finishesOn(second);
    assertThat(first.isLeader()).isFalse();
    assertThatThrownBy(() -> first.dayu().listClusters(ListClustersRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getDescription()).contains("leader=" + second.target()));
  }

  /**
   * Cluster "prod" of four nodes and app 1.0.0 published through {@code leader}, an agent per node
   * (given {@code targets}), and a rollout in batches of two started, with n1 holding step 3 of
   * its task (released by the latch returned).
   */
  private CountDownLatch rolloutHeldMidway(DayuServerFixture leader, List<String> targets) {
    leader.dayu().addCluster(AddClusterRequest.newBuilder().setName(CLUSTER).build());
    for (String host : HOSTS) {
      leader.dayu().addNode(AddNodeRequest.newBuilder().setCluster(CLUSTER).setHost(host).setRack("r1")
          .addRoles("worker").build());
    }
    leader.database().modules().publish("app", "1.0.0", "1".repeat(64), 1,
        Descriptors.minimal("app", "1.0.0", List.of("worker")), "test");
    for (String host : HOSTS) {
      agents.add(new SimAgent(targets, CLUSTER, host, Map.of()));
    }
    await().atMost(DEADLINE).until(() -> agents.stream().allMatch(SimAgent::watching));
    CountDownLatch held = agents.get(0).holdAt("app", "1.0.0", 3);
    rolloutId = leader.rollouts().startRollout(StartRolloutRequest.newBuilder().setCluster(CLUSTER)
        .setKind(RolloutKind.DEPLOY).putTargets("app", "1.0.0")
        .setStrategy(RolloutStrategy.newBuilder().addBatches("2").setMinHealthy("0s")).build()).getId();
    await().atMost(DEADLINE).until(() -> agents.get(0).ran().stream().anyMatch(r -> r.step() == 3));
    return held;
  }

  /** The rollout succeeds through {@code leader}, every node at 1.0.0, no step run twice. */
  private void finishesOn(DayuServerFixture leader) {
    GetRolloutRequest get = GetRolloutRequest.newBuilder().setId(rolloutId).build();
    await().atMost(DEADLINE).until(() -> leader.rollouts().getRollout(get).getState().equals("SUCCEEDED"));
    assertThat(leader.rollouts().getRollout(get).getTasksList()).hasSize(4)
        .allSatisfy(t -> assertThat(t.getState()).isEqualTo("SUCCEEDED"));
    assertThat(agents).allSatisfy(a -> assertThat(a.installed()).containsEntry("app", "1.0.0"));
    assertThat(agents.get(0).ran()).extracting(SimAgent.Ran::step).containsExactly(0, 1, 2, 3, 4, 5);
    assertThat(agents).flatMap(SimAgent::stepsRunTwice).isEmpty();
  }

  @Test
  void aDayuAgentFindsTheLeaderThroughZooKeeperAndFollowsItsSuccessor() {
    String url = postgres.createDatabase();
    DayuServerFixture first = server("a", url);
    await().atMost(DEADLINE).until(first::isLeader);
    DayuServerFixture second = server("b", url);
    first.dayu().addCluster(AddClusterRequest.newBuilder().setName(CLUSTER).build());
    first.dayu().addNode(AddNodeRequest.newBuilder().setCluster(CLUSTER).setHost("n1").setRack("r1")
        .addRoles("worker").build());
    // No server address configured: the agent reads the election.
    realAgent = new DayuAgent(ConfigLoader.load(null, Map.of("dayu.agent.server", "",
        "feitian.zookeeper.connect", zk.getConnectString(), "dayu.agent.cluster", CLUSTER, "dayu.agent.host", "n1",
        "dayu.agent.root", dir.resolve("n1").toAbsolutePath().toString(), "dayu.agent.reconnect-backoff", "100ms",
        "dayu.agent.reconnect-backoff-max", "1s")));
    realAgent.start();
    await().atMost(DEADLINE).until(() -> lastSeen(first) > 0);

    long failover = System.currentTimeMillis();
    first.close();
    servers.remove(first);
    await().atMost(DEADLINE).until(second::isLeader);

    // The agent registered again, with the new leader: its check-in is later than the failover.
    await().atMost(DEADLINE).until(() -> lastSeen(second) >= failover);
  }

  private static HttpResponse<String> get(DayuServerFixture server, String path) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.web() + path))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static long lastSeen(DayuServerFixture server) {
    return server.dayu().listNodes(ListNodesRequest.newBuilder().setCluster(CLUSTER).build()).getNodes(0)
        .getLastSeenAtMs();
  }

  @Test
  void electionOverTheEmbeddedDatabaseIsRefusedAtStart() {
    assertThatThrownBy(() -> new DayuServer(ConfigLoader.load(null, Map.of("dayu.data-dir", dir.toString(),
        "dayu.server.election", true))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dayu.server.election").hasMessageContaining("PostgreSQL");
  }
}
