package io.feitian.client.shennong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.client.ClusterTarget;
import io.feitian.client.FeitianClient;
import io.feitian.common.config.ConfigLoader;
import io.feitian.proto.shennong.v1.AgentServiceGrpc;
import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.Kind;
import io.feitian.proto.shennong.v1.Operation;
import io.feitian.proto.shennong.v1.Severity;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.feitian.proto.shennong.v1.SubscriptionUpdate;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.shennong.agent.ShennongAgent;
import io.feitian.shennong.master.ShennongMaster;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An events subscription across a master failover, against real shennong-masters and agents on
 * loopback and a real ZooKeeper: the client library resubscribes from the newest event it
 * delivered, so events written while no master led arrive, and none arrives twice.
 */
class SubscriptionResumeTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;
  private TestingServer zk;
  private final List<AutoCloseable> daemons = new ArrayList<>();
  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();

  @AfterEach
  void stop() throws Exception {
    channels.values().forEach(ManagedChannel::shutdownNow);
    for (AutoCloseable d : daemons) {
      d.close();
    }
    zk.close();
  }

  private com.typesafe.config.Config config(Map<String, Object> own) {
    Map<String, Object> all = new LinkedHashMap<>(Map.of("feitian.zookeeper.connect", zk.getConnectString(),
        "feitian.zookeeper.session-timeout", "2s", "feitian.cluster-name", "it", "shennong.master.port", 0,
        "shennong.master.metrics.port", -1, "shennong.master.status-interval", "200ms",
        "shennong.agent.port", 0, "shennong.agent.metrics.port", -1, "shennong.agent.reconnect-backoff", "50ms"));
    all.put("shennong.agent.reconnect-backoff-max", "200ms");
    all.putAll(own);
    return ConfigLoader.load(null, all);
  }

  private ShennongMaster master() throws Exception {
    ShennongMaster m = new ShennongMaster(config(Map.of()));
    m.start();
    daemons.add(m);
    return m;
  }

  private ShennongAgent agent(String node) throws Exception {
    ShennongAgent a = new ShennongAgent(config(Map.of("shennong.agent.node-id", node)));
    a.start();
    daemons.add(a);
    return a;
  }

  private void write(ShennongAgent agent, long stampMs, Map<String, Event> accepted) {
    Event e = Event.newBuilder().setName("app.step").setSeverity(Severity.SEVERITY_INFO)
        .putLabels("node", agent.nodeId()).setTimestampMs(stampMs).setMessage(agent.nodeId() + "#" + stampMs).build();
    ManagedChannel ch = channels.computeIfAbsent(agent.address(),
        a -> NettyChannelBuilder.forTarget(a).usePlaintext().build());
    assertThat(AgentServiceGrpc.newBlockingStub(ch).write(WriteRequest.newBuilder().setSource("test").addEvents(e)
        .build()).getAcceptedEvents()).isEqualTo(1);
    accepted.put(e.getMessage(), e);
  }

  @Test
  void aFollowedEventsSubscriptionResumesAfterAFailoverWithoutLosingOrRepeatingAnEvent() throws Exception {
    zk = new TestingServer(new InstanceSpec(dir.resolve("zk").toFile(), -1, -1, -1, true, -1, 200, -1), true);
    ShennongMaster first = master();
    await().atMost(WAIT).until(first::isLeader);
    ShennongMaster standby = master();
    List<ShennongAgent> agents = List.of(agent("n1"), agent("n2"));
    await().atMost(WAIT).until(() -> agents.stream().allMatch(a -> a.master().isPresent()));

    Map<String, Event> accepted = new ConcurrentHashMap<>();
    List<Event> received = new CopyOnWriteArrayList<>();
    Set<String> streams = ConcurrentHashMap.newKeySet();
    AtomicInteger streamCount = new AtomicInteger();
    long stamp = System.currentTimeMillis();
    for (ShennongAgent a : agents) {
      write(a, ++stamp, accepted); // held before anyone subscribed
    }
    try (FeitianClient cluster = new FeitianClient(new ClusterTarget.ZooKeeper(zk.getConnectString(), "it",
        "feitian"), FeitianClient.Options.defaults()); MonitorClient monitor = new MonitorClient(cluster);
        Subscription s = monitor.subscribe(SubscribeRequest.newBuilder().setSelector("app.*").setKind(Kind.KIND_EVENTS)
            .setOperation(Operation.OPERATION_RAW).build(), new Subscription.Listener() {
              @Override
              public void onStream(String master) {
                streams.add(master);
                streamCount.incrementAndGet();
              }

              @Override
              public void onUpdate(SubscriptionUpdate update) {
                received.addAll(update.getEventsList());
              }

              @Override
              public void onEnd(Status status) {}
            })) {
      for (int i = 0; i < 10; i++) {
        write(agents.get(i % 2), ++stamp, accepted);
      }
      await().atMost(WAIT).until(() -> received.size() >= accepted.size());

      // Events keep being written, one every 10 ms, while the leader goes and the standby takes over.
      AtomicLong stamps = new AtomicLong(stamp);
      AtomicBoolean writing = new AtomicBoolean(true);
      Thread writer = new Thread(() -> {
        for (int i = 0; writing.get(); i++) {
          write(agents.get(i % 2), stamps.incrementAndGet(), accepted);
          LockSupport.parkNanos(10_000_000); // pacing the writes, not waiting for a condition
        }
      });
      writer.start();
      long closedAt = stamps.get();
      first.close(); // the standby takes over; agents register with it; the client subscribes again
      daemons.remove(first);
      await().atMost(WAIT).until(() -> streamCount.get() >= 2);
      long resumedAt = stamps.get();
      await().atMost(WAIT).until(() -> stamps.get() > resumedAt + 10);
      writing.set(false);
      writer.join();
      assertThat(streams).as("a second stream, from the standby").contains(standby.address());
      assertThat(resumedAt - closedAt).as("events were written while the leader went").isPositive();
      await().atMost(WAIT).until(() -> received.stream().map(Event::getMessage).toList()
          .containsAll(accepted.keySet()));
    }
    List<String> messages = received.stream().map(Event::getMessage).toList();
    assertThat(messages).as("each event once").doesNotHaveDuplicates();
    assertThat(messages).containsExactlyInAnyOrderElementsOf(accepted.keySet());
  }
}
