package io.feitian.common.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.feitian.common.grpc.LeaderHint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Elections, epochs and fencing against a real ZooKeeper server. */
class LeaderElectionTest {
  @TempDir
  Path dir;

  TestingServer server;

  @BeforeEach
  void start() throws Exception {
    server = new TestingServer(new InstanceSpec(dir.toFile(), -1, -1, -1, true, -1, 200, -1), true);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private CuratorFramework client() {
    return ZooKeeperClients.start(new ZkSettings(server.getConnectString(), Duration.ofSeconds(2),
        Duration.ofSeconds(5), "feitian/test"));
  }

  /** Records term changes in order. */
  static final class Events implements LeaderElection.Listener {
    final BlockingQueue<String> seen = new LinkedBlockingQueue<>();

    @Override
    public void elected(long epoch) {
      seen.add("elected " + epoch);
    }

    @Override
    public void deposed(String reason) {
      seen.add("deposed");
    }
  }

  @Test
  void theNextLeaderHasAHigherEpochAndTheOldOneIsFencedOut() throws Exception {
    CuratorFramework zkA = client();
    CuratorFramework zkB = client();
    Events a = new Events();
    Events b = new Events();
    LeaderElection ea = new LeaderElection(zkA, "/fuxi", "a:1", a);
    LeaderElection eb = new LeaderElection(zkB, "/fuxi", "b:1", b);
    CuratorFramework zkC = client();
    LeaderLocator locator = new LeaderLocator(zkC, "/fuxi");
    try {
      ea.start();
      await().atMost(Duration.ofSeconds(10)).until(ea::isLeader);
      eb.start();
      assertThat(a.seen.take()).isEqualTo("elected 1");
      await().atMost(Duration.ofSeconds(10)).until(() -> locator.participants().size() == 2);
      assertThat(locator.participants()).containsExactly("a:1", "b:1");
      assertThat(eb.currentLeader()).contains("a:1");
      // A standby's refusal sends the caller to the leader; the leader's own (between its terms) does not send it back.
      assertThat(LeaderHint.parse(eb.refusal())).contains("a:1");
      assertThat(LeaderHint.parse(ea.refusal())).isEmpty();
      assertThat(ea.refusal().getDescription()).contains("a:1 is elected but between terms");

      Fence oldFence = ea.fence();
      oldFence.put("/fuxi/state/x", "from-a".getBytes(StandardCharsets.UTF_8));

      // The leader's session dies (as if it were kill -9'd and its session expired).
      zkA.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
      await().atMost(Duration.ofSeconds(15)).until(eb::isLeader);
      assertThat(eb.epoch()).isEqualTo(2);
      assertThat(b.seen.poll()).isEqualTo("elected 2");
      // The watching locator follows without being asked again.
      await().atMost(Duration.ofSeconds(10)).until(() -> locator.leader().equals(java.util.Optional.of("b:1")));

      // A write by the deposed leader is refused; the new leader's goes through.
      assertThatThrownBy(() -> oldFence.put("/fuxi/state/x", "stale".getBytes(StandardCharsets.UTF_8)))
          .isInstanceOf(FencedOutException.class).hasMessageContaining("epoch 1");
      eb.fence().put("/fuxi/state/x", "from-b".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(zkB.getData().forPath("/fuxi/state/x"), StandardCharsets.UTF_8)).isEqualTo("from-b");
      assertThat(eb.fence().createSequential("/fuxi/seq/s-")).startsWith("/fuxi/seq/s-");
      await().atMost(Duration.ofSeconds(10)).until(() -> a.seen.contains("deposed"));
      assertThat(ea.isLeader()).isFalse();
      assertThatThrownBy(ea::fence).isInstanceOf(FencedOutException.class);
    } finally {
      locator.close();
      zkC.close();
      ea.close();
      eb.close();
      zkA.close();
      zkB.close();
    }
  }

  @Test
  void unreachableZooKeeperIsAClearError() throws Exception {
    String connect = server.getConnectString();
    server.stop();
    assertThatThrownBy(() -> ZooKeeperClients.start(new ZkSettings(connect, Duration.ofSeconds(1),
        Duration.ofMillis(500), "x"))).hasMessageContaining("cannot reach ZooKeeper at " + connect);
  }

}
