package io.feitian.dayu.agent.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.feitian.common.grpc.CallSettings;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.security.TlsSettings;
import io.feitian.common.zk.LeaderElection;
import io.feitian.common.zk.ZkSettings;
import io.feitian.common.zk.ZooKeeperClients;
import io.feitian.proto.fuxi.v1.ClusterServiceGrpc;
import io.feitian.proto.fuxi.v1.DrainNodeRequest;
import io.feitian.proto.fuxi.v1.NodeState;
import io.feitian.proto.fuxi.v1.NodeStatus;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FuxiDrainer's side of the conversation, against a fuxi-master stand-in elected in a real
 * ZooKeeper: which node it drains, how it waits, what it reports, what makes the step fail.
 * FuxiDrainIT (module it) runs it against the real fuxi-master and task-workers.
 */
class FuxiDrainerTest {
  @TempDir
  Path dir;

  private TestingServer zk;
  private CuratorFramework leaderZk;
  private LeaderElection election;
  private Server server;
  /** The answers the stand-in gives, one per call (the last one repeats). */
  private final Deque<Object> answers = new ArrayDeque<>();
  private final List<DrainNodeRequest> asked = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    zk = new TestingServer(new InstanceSpec(dir.resolve("zk").toFile(), -1, -1, -1, true, -1, 200, -1), true);
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new ClusterServiceGrpc.ClusterServiceImplBase() {
          @Override
          public void drainNode(DrainNodeRequest request, StreamObserver<NodeStatus> response) {
            asked.add(request);
            Object a;
            synchronized (answers) {
              a = answers.size() > 1 ? answers.poll() : answers.peek();
            }
            if (a instanceof Status s) {
              response.onError(s.asRuntimeException());
            } else {
              response.onNext((NodeStatus) a);
              response.onCompleted();
            }
          }
        }).build().start();
  }

  private void elect() throws Exception {
    leaderZk = ZooKeeperClients.start(new ZkSettings(zk.getConnectString(), Duration.ofSeconds(10),
        Duration.ofSeconds(10), "feitian/prod"));
    election = new LeaderElection(leaderZk, "/fuxi", "127.0.0.1:" + server.getPort(),
        LeaderElection.Listener.of(epoch -> { }, why -> { }));
    election.start();
    await().atMost(Duration.ofSeconds(10)).until(election::isLeader);
  }

  @AfterEach
  void stop() throws Exception {
    if (election != null) {
      election.close();
      leaderZk.close();
    }
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    zk.close();
  }

  private FuxiDrainer drainer() {
    return new FuxiDrainer("/feitian/", SecuritySettings.client(TlsSettings.DISABLED, Optional.empty()),
        new CallSettings(Optional.empty(), Duration.ofSeconds(5)), Duration.ofMillis(20), Clock.systemUTC());
  }

  private Map<String, String> taskWorker() {
    return Map.of("zookeeper", zk.getConnectString(), "cluster-name", "prod", "node.id", "tw-7", "port", "7200");
  }

  private static NodeStatus alive(int grants) {
    return NodeStatus.newBuilder().setNodeId("tw-7").setState(NodeState.NODE_STATE_ALIVE).setDraining(true)
        .setGrants(grants).build();
  }

  private void answer(Object... in) {
    synchronized (answers) {
      answers.addAll(List.of(in));
    }
  }

  @Test
  void drainsTheModulesNodeAndWaitsUntilItHoldsNoGrants() throws Exception {
    elect();
    // A standby's refusal, a call cut as its master's connection closed (grpc-netty's words for it:
    // asked again, not a refusal), then a node still holding work, then an empty one.
    answer(Status.UNAVAILABLE.withDescription("leader=elsewhere"), Status.UNKNOWN.withDescription("channel closed"),
        alive(3), alive(2), NodeStatus.newBuilder(alive(0)).setState(NodeState.NODE_STATE_UNSPECIFIED).build(),
        alive(0));
    String report = drainer().drain("task-worker", taskWorker(), Duration.ofSeconds(10));
    assertThat(report).startsWith("node tw-7 drained in Fuxi cluster prod: its 3 grants were returned after ");
    assertThat(asked).hasSize(6).allSatisfy(r -> assertThat(r.getNodeId()).isEqualTo("tw-7"));
  }

  @Test
  void atTheTimeoutItReportsWhatIsLeftAndDoesNotFail() throws Exception {
    elect();
    answer(alive(2), alive(1));
    assertThat(drainer().drain("task-worker", taskWorker(), Duration.ofMillis(300)))
        .isEqualTo("timed out after 300 ms: node tw-7 still holds 1 grant (2 when its drain began); the removal goes on");
  }

  @Test
  void aRefusalOrNoLeaderAtAllFailsTheStepAndAnUnknownNodeHoldsNothing() throws Exception {
    assertThatThrownBy(() -> drainer().drain("task-worker", taskWorker(), Duration.ofMillis(300)))
        .hasMessageContaining("cannot drain node tw-7: no fuxi-master of cluster prod answered for 300 ms")
        .hasMessageContaining("no fuxi-master leader elected");
    elect();
    answer(Status.PERMISSION_DENIED.withDescription("DrainNode needs the admin role"));
    assertThatThrownBy(() -> drainer().drain("task-worker", taskWorker(), Duration.ofSeconds(10)))
        .hasMessageContaining("PERMISSION_DENIED");
    answers.clear();
    answer(Status.NOT_FOUND.withDescription("node_id 'tw-7' is not a node of this cluster"));
    assertThat(drainer().drain("task-worker", taskWorker(), Duration.ofSeconds(10)))
        .isEqualTo("node tw-7 is not a node of Fuxi cluster prod: nothing to drain");
    assertThat(drainer().drain("sample", Map.of("node.id", "tw-7"), Duration.ofSeconds(10)))
        .startsWith("nothing to drain (sample names no Fuxi cluster");
  }
}
