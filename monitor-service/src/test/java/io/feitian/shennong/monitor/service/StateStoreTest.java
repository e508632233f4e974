package io.feitian.shennong.monitor.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.feitian.common.zk.Fence;
import io.feitian.common.zk.FencedOutException;
import io.feitian.common.zk.LeaderElection;
import io.feitian.shennong.monitor.alerts.EvaluatorSnapshot;
import io.feitian.shennong.monitor.json.MonitorSnapshot;
import io.feitian.shennong.monitor.notify.NotifierSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The state znode against a real ZooKeeper: written by the leader, never by one that was deposed. */
class StateStoreTest {
  private TestingServer server;
  private CuratorFramework first;
  private CuratorFramework second;

  @BeforeEach
  void start() throws Exception {
    server = new TestingServer(true);
    first = client();
    second = client();
  }

  private CuratorFramework client() {
    CuratorFramework c = CuratorFrameworkFactory.newClient(server.getConnectString(), 2000, 2000,
        new RetryOneTime(100));
    c.start();
    return c;
  }

  @AfterEach
  void stop() throws Exception {
    first.close();
    second.close();
    server.close();
  }

  private static StoredState state(long epoch, String silenceComment) {
    NotifierSnapshot.SilenceRecord silence = new NotifierSnapshot.SilenceRecord("s1", "{node=\"n1\"}", 0, 10_000,
        "ops", silenceComment);
    return new StoredState(epoch, List.of(new HistoryEntry(5, "R", new TreeMap<>(Map.of("alertname", "R")),
        "PENDING", "FIRING", 1.5, "fp", epoch)), new MonitorSnapshot(epoch, new EvaluatorSnapshot(List.of(),
        List.of(), List.of(), List.of()), new NotifierSnapshot(List.of(), List.of(), List.of(silence))));
  }

  private static LeaderElection elect(CuratorFramework zk, String id) throws Exception {
    LeaderElection e = new LeaderElection(zk, MonitorService.ZK_BASE, id, new LeaderElection.Listener() {
      @Override
      public void elected(long epoch) {}

      @Override
      public void deposed(String reason) {}
    });
    e.start();
    return e;
  }

  @Test
  void aDeposedLeaderCannotOverwriteItsSuccessorsState() throws Exception {
    LeaderElection one = elect(first, "one");
    await().atMost(Duration.ofSeconds(10)).until(one::isLeader);
    LeaderElection two = elect(second, "two");
    Fence oldFence = one.fence();
    try (StateStore store1 = new StateStore(first, MonitorService.STATE_PATH);
        StateStore store2 = new StateStore(second, MonitorService.STATE_PATH)) {
      store1.write(oldFence, state(oldFence.epoch(), "first")).get();
      assertThat(store2.read()).get().extracting(s -> s.monitor().notifier().silences().get(0).comment())
          .isEqualTo("first");

      one.close();
      await().atMost(Duration.ofSeconds(10)).until(two::isLeader);
      Fence newFence = two.fence();
      StoredState taken = store2.read().orElseThrow();
      assertThat(taken.recentHistory()).hasSize(1);
      store2.write(newFence, state(newFence.epoch(), "second")).get();

      CompletableFuture<Void> stale = store1.write(oldFence, state(oldFence.epoch(), "stale"));
      assertThatThrownBy(stale::get).isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(FencedOutException.class);
      assertThat(store1.read()).get().extracting(s -> s.monitor().notifier().silences().get(0).comment())
          .isEqualTo("second");
      two.close();
    }
  }

  @Test
  void writesInABurstCoalesceAndTheNewestWins() throws Exception {
    LeaderElection one = elect(first, "one");
    await().atMost(Duration.ofSeconds(10)).until(one::isLeader);
    try (StateStore store = new StateStore(first, MonitorService.STATE_PATH)) {
      CompletableFuture<?>[] writes = new CompletableFuture<?>[50];
      for (int i = 0; i < writes.length; i++) {
        writes[i] = store.write(one.fence(), state(one.epoch(), "v" + i));
      }
      CompletableFuture.allOf(writes).get();
      assertThat(store.read()).get().extracting(s -> s.monitor().notifier().silences().get(0).comment())
          .isEqualTo("v49");
    }
    one.close();
  }
}
