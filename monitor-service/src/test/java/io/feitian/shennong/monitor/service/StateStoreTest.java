package io.feitian.shennong.monitor.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.feitian.common.zk.Fence;
import io.feitian.common.zk.FencedOutException;
import io.feitian.common.zk.LeaderElection;
import io.feitian.shennong.monitor.alerts.AlertState;
import io.feitian.shennong.monitor.alerts.EvaluatorSnapshot;
import io.feitian.shennong.monitor.json.MonitorSnapshot;
import io.feitian.shennong.monitor.notify.NotifierSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
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

/** The state in ZooKeeper against a real server: written by the leader, never by one that was deposed. */
class StateStoreTest {
  private static final String CHUNKS = MonitorService.ZK_BASE + "/" + StateStore.CHUNKS;
  private static final String HISTORY = MonitorService.ZK_BASE + "/" + StateStore.HISTORY;
  private static final int KEPT = 1000;

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

  private static MonitorSnapshot snapshot(long at, String silenceComment, List<EvaluatorSnapshot.AlertRecord> alerts) {
    NotifierSnapshot.SilenceRecord silence = new NotifierSnapshot.SilenceRecord("s1", "{node=\"n1\"}", 0, 10_000,
        "ops", silenceComment);
    return new MonitorSnapshot(at, new EvaluatorSnapshot(alerts, List.of(), List.of(), List.of()),
        new NotifierSnapshot(List.of(), List.of(), List.of(silence)));
  }

  private static MonitorSnapshot snapshot(long at, String silenceComment) {
    return snapshot(at, silenceComment, List.of());
  }

  private static HistoryEntry entry(long at, long epoch) {
    return new HistoryEntry(at, "R", new TreeMap<>(Map.of("alertname", "R")), "PENDING", "FIRING", 1.5, "fp", epoch);
  }

  private static String comment(StateStore store) throws Exception {
    return store.read().orElseThrow().monitor().notifier().silences().get(0).comment();
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

  private LeaderElection leader(CuratorFramework zk, String id) throws Exception {
    LeaderElection e = elect(zk, id);
    await().atMost(Duration.ofSeconds(10)).until(e::isLeader);
    return e;
  }

  @Test
  void aDeposedLeaderCannotOverwriteItsSuccessorsState() throws Exception {
    LeaderElection one = leader(first, "one");
    LeaderElection two = elect(second, "two");
    Fence oldFence = one.fence();
    try (StateStore store1 = new StateStore(first, MonitorService.ZK_BASE, KEPT);
        StateStore store2 = new StateStore(second, MonitorService.ZK_BASE, KEPT)) {
      store1.write(oldFence, snapshot(1, "first"), List.of(entry(5, oldFence.epoch()))).get();
      assertThat(comment(store2)).isEqualTo("first");

      one.close();
      await().atMost(Duration.ofSeconds(10)).until(two::isLeader);
      Fence newFence = two.fence();
      StoredState taken = store2.read().orElseThrow();
      assertThat(taken.recentHistory()).containsExactly(entry(5, oldFence.epoch()));
      store2.write(newFence, snapshot(2, "second"), List.of(entry(6, newFence.epoch()))).get();

      CompletableFuture<Void> stale = store1.write(oldFence, snapshot(3, "stale"), List.of(entry(7, oldFence.epoch())));
      assertThatThrownBy(stale::get).isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(FencedOutException.class);
      StoredState now = store1.read().orElseThrow();
      assertThat(now.monitor().notifier().silences().get(0).comment()).isEqualTo("second");
      assertThat(now.epoch()).isEqualTo(newFence.epoch());
      assertThat(now.recentHistory()).extracting(HistoryEntry::atMs).containsExactly(5L, 6L);
      two.close();
    }
  }

  @Test
  void writesInABurstCoalesceTheNewestSnapshotWinsAndNoHistoryIsLost() throws Exception {
    LeaderElection one = leader(first, "one");
    try (StateStore store = new StateStore(first, MonitorService.ZK_BASE, KEPT)) {
      CompletableFuture<?>[] writes = new CompletableFuture<?>[50];
      for (int i = 0; i < writes.length; i++) {
        writes[i] = store.write(one.fence(), snapshot(i, "v" + i), List.of(entry(i, one.epoch())));
      }
      CompletableFuture.allOf(writes).get();
      StoredState read = store.read().orElseThrow();
      assertThat(read.monitor().notifier().silences().get(0).comment()).isEqualTo("v49");
      assertThat(read.recentHistory()).extracting(HistoryEntry::atMs).containsExactlyElementsOf(
          java.util.stream.LongStream.range(0, 50).boxed().toList());
    }
    one.close();
  }

  /** 40,000 alerts with random labels and values: about 14 MB of JSON, several chunks even deflated. */
  @Test
  void aStateFarAboveZooKeepersNodeLimitIsReadBackEqual() throws Exception {
    long seed = Long.getLong("seed", System.nanoTime());
    System.out.println("StateStoreTest seed " + seed);
    Random random = new Random(seed);
    List<EvaluatorSnapshot.AlertRecord> alerts = new ArrayList<>();
    for (int i = 0; i < 40_000; i++) {
      TreeMap<String, String> group = new TreeMap<>(Map.of("node", "n" + random.nextInt(1_000_000),
          "id", Long.toHexString(random.nextLong())));
      TreeMap<String, String> labels = new TreeMap<>(group);
      labels.put("alertname", "Rule" + (i % 100));
      alerts.add(new EvaluatorSnapshot.AlertRecord("Rule" + (i % 100), group, labels,
          new TreeMap<>(Map.of("summary", "cpu of " + group.get("node") + " above 0.9")),
          AlertState.values()[1 + random.nextInt(3)], random.nextLong(), random.nextLong(), 0, 0,
          random.nextDouble()));
    }
    MonitorSnapshot big = snapshot(7, "big", alerts);
    String json = big.toJson();
    assertThat(json.length()).as("seed %d", seed).isGreaterThan(8 << 20);
    assertThat(StateEncoding.snapshotChunks(json)).as("seed %d", seed).hasSizeGreaterThan(1);

    LeaderElection one = leader(first, "one");
    try (StateStore store = new StateStore(first, MonitorService.ZK_BASE, KEPT)) {
      List<HistoryEntry> history = new ArrayList<>();
      for (int write = 0; write < 5; write++) {
        List<HistoryEntry> batch = new ArrayList<>();
        for (int i = 0; i < 700; i++) {
          batch.add(entry(write * 700L + i, one.epoch()));
        }
        history.addAll(batch);
        store.write(one.fence(), big, batch).get();
      }
      assertThat(store.bytesWritten()).as("seed %d", seed).isLessThan(5L * json.length() / 3);

      StoredState read = new StateStore(second, MonitorService.ZK_BASE, KEPT).read().orElseThrow();
      assertThat(read.monitor()).as("seed %d", seed).isEqualTo(big);
      assertThat(read.recentHistory()).isEqualTo(history.subList(history.size() - KEPT, history.size()));
      // Only the current snapshot's chunks stay, and the history batches no longer needed are gone.
      assertThat(first.getChildren().forPath(CHUNKS)).hasSize(StateEncoding.snapshotChunks(json).size());
      assertThat(first.getChildren().forPath(HISTORY)).hasSize(2);
    }
    one.close();
  }

  @Test
  void aWriterThatDiesBeforeSwitchingThePointerLeavesThePreviousStateCurrent() throws Exception {
    LeaderElection one = leader(first, "one");
    LeaderElection two = elect(second, "two");
    try (StateStore store1 = new StateStore(first, MonitorService.ZK_BASE, KEPT);
        StateStore store2 = new StateStore(second, MonitorService.ZK_BASE, KEPT)) {
      store1.write(one.fence(), snapshot(1, "whole"), List.of()).get();
      // What a writer leaves when it dies after putting some chunks of its next snapshot: chunks the
      // pointer does not name, the last one cut short.
      String next = String.format("%019d-%012d", one.epoch(), 99);
      byte[] half = StateEncoding.snapshotChunks(snapshot(2, "never current").toJson()).get(0);
      one.fence().put(CHUNKS + "/" + next + "-0", half);
      one.fence().put(CHUNKS + "/" + next + "-1", java.util.Arrays.copyOf(half, half.length / 2));
      one.close();

      await().atMost(Duration.ofSeconds(10)).until(two::isLeader);
      StoredState taken = store2.read().orElseThrow();
      assertThat(taken.monitor().notifier().silences().get(0).comment()).isEqualTo("whole");
      store2.write(two.fence(), snapshot(3, "successor"), List.of()).get();
      assertThat(comment(store1)).isEqualTo("successor");
      assertThat(second.getChildren().forPath(CHUNKS)).hasSize(1).noneMatch(n -> n.startsWith(next));
      two.close();
    }
  }

  @Test
  void aStateOfTheOneZnodeFormatIsReadAndReplacedByTheChunkedOne() throws Exception {
    LeaderElection one = leader(first, "one");
    StoredState old = new StoredState(3, List.of(entry(5, 3)), snapshot(1, "old format"));
    one.fence().put(MonitorService.STATE_PATH, old.toJson().getBytes(StandardCharsets.UTF_8));
    try (StateStore store = new StateStore(first, MonitorService.ZK_BASE, KEPT)) {
      assertThat(store.read()).contains(old);
      store.write(one.fence(), snapshot(2, "new format"), List.of(entry(6, one.epoch()))).get();
      StoredState read = store.read().orElseThrow();
      assertThat(read.monitor().notifier().silences().get(0).comment()).isEqualTo("new format");
      assertThat(read.recentHistory()).containsExactly(entry(6, one.epoch()));
    }
    one.close();
  }
}
