package io.feitian.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.feitian.client.ClusterTarget;
import io.feitian.client.FeitianClient;
import io.feitian.client.shennong.MonitorClient;
import io.feitian.client.shennong.ShennongWriter;
import io.feitian.client.shennong.Subscription;
import io.feitian.proto.shennong.v1.AddSilenceRequest;
import io.feitian.proto.shennong.v1.AlertInfo;
import io.feitian.proto.shennong.v1.AlertPhase;
import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.Kind;
import io.feitian.proto.shennong.v1.ListAlertsRequest;
import io.feitian.proto.shennong.v1.ListRulesRequest;
import io.feitian.proto.shennong.v1.MonitorServiceGrpc;
import io.feitian.proto.shennong.v1.Operation;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.feitian.proto.shennong.v1.SubscriptionUpdate;
import io.feitian.testkit.ChildJvm;
import io.feitian.testkit.FreePorts;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor-service with real processes on loopback: ZooKeeper, a shennong-master, an agent and
 * two monitor-services, and a webhook receiver in the test. Values written through the agent fire
 * a threshold rule, the receiver gets exactly one grouped notification, a silence added through
 * the API mutes a second alert, the leader is killed with kill -9 and the standby goes on without
 * notifying again, and when the value drops one resolved notification follows.
 */
class MonitorServiceIT {
  private static final String MASTER_MAIN = "io.feitian.shennong.master.ShennongMasterMain";
  private static final String AGENT_MAIN = "io.feitian.shennong.agent.ShennongAgentMain";
  private static final String MONITOR_MAIN = "io.feitian.shennong.monitor.service.MonitorServiceMain";
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir
  Path dir;
  private TestingServer zk;
  private HttpServer receiver;
  private final List<String> notifications = new CopyOnWriteArrayList<>();
  private final Map<String, Process> daemons = new LinkedHashMap<>();
  private final Map<String, Integer> monitorPorts = new LinkedHashMap<>();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private ShennongWriter writer;
  private int agentPort;

  @BeforeEach
  void start() throws Exception {
    zk = new TestingServer(new InstanceSpec(dir.resolve("zk").toFile(), -1, -1, -1, true, -1, 200, -1), true);
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      notifications.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    receiver.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (writer != null) {
      writer.close();
    }
    channels.values().forEach(ManagedChannel::shutdownNow);
    daemons.values().forEach(ChildJvm::kill9);
    receiver.stop(0);
    // The daemons' logs outlive the temporary directory, for a failure's post-mortem.
    Path logs = Path.of("target", "monitor-service-it");
    Files.createDirectories(logs);
    for (String name : daemons.keySet()) {
      Files.copy(dir.resolve(name + ".log"), logs.resolve(name + ".log"), StandardCopyOption.REPLACE_EXISTING);
    }
    zk.close();
  }

  private List<String> common() {
    return new ArrayList<>(List.of("--set", "feitian.zookeeper.connect=" + zk.getConnectString(),
        "--set", "feitian.zookeeper.session-timeout=2s", "--set", "feitian.cluster-name=it",
        "--set", "feitian.shennong.agent=127.0.0.1:" + agentPort));
  }

  private void start(String name, String main, List<String> args) {
    daemons.put(name, ChildJvm.of(main).args(args.toArray(String[]::new)).log(dir.resolve(name + ".log")).start());
  }

  private void startMonitor(String name) throws Exception {
    int port = FreePorts.one();
    monitorPorts.put(name, port);
    Path conf = dir.resolve(name + ".conf");
    Files.writeString(conf, """
        shennong.monitor {
          rules-dir = "%s"
          data-dir = "%s"
          evaluation-interval = 200ms
          group-wait = 500ms
          group-interval = 1s
          webhooks = ["http://127.0.0.1:%d/hook"]
        }
        """.formatted(dir.resolve("rules"), dir.resolve(name), receiver.getAddress().getPort()));
    List<String> args = common();
    args.addAll(List.of("--config", conf.toString(), "--set", "shennong.monitor.port=" + port));
    start(name, MONITOR_MAIN, args);
  }

  private MonitorServiceGrpc.MonitorServiceBlockingStub api(String monitor) {
    ManagedChannel ch = channels.computeIfAbsent(monitor, m -> NettyChannelBuilder.forTarget("127.0.0.1:"
        + monitorPorts.get(m)).usePlaintext().build());
    return MonitorServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** The live monitor-service that answers (standbys refuse with UNAVAILABLE). */
  private String leader() {
    String[] found = new String[1];
    await().atMost(WAIT).until(() -> {
      for (String m : monitorPorts.keySet()) {
        if (!daemons.get(m).isAlive()) {
          continue;
        }
        try {
          api(m).listRules(ListRulesRequest.getDefaultInstance());
          found[0] = m;
          return true;
        } catch (RuntimeException e) {
          // a standby, or not up yet
        }
      }
      return false;
    });
    return found[0];
  }

  /** Sets node's load through the Java writer (a gauge flushed every 100 ms to the agent). */
  private void load(String node, double value) {
    if (writer == null) {
      writer = new ShennongWriter(ShennongWriter.Options.defaults("it").withAgent("127.0.0.1:" + agentPort)
          .withFlushInterval(Duration.ofMillis(100)));
    }
    writer.gauge("load", "node", node).set(value);
  }

  private AlertInfo alert(String monitor, String node) {
    return api(monitor).listAlerts(ListAlertsRequest.getDefaultInstance()).getAlertsList().stream()
        .filter(a -> node.equals(a.getLabelsMap().get("node"))).findFirst().orElse(null);
  }

  private JsonNode notification(int i) throws Exception {
    return new ObjectMapper().readTree(notifications.get(i));
  }

  @Test
  void aRuleFiresOnceASilenceMutesTheStandbyGoesOnAfterKillNineAndTheAlertResolvesOnce() throws Exception {
    Files.createDirectories(dir.resolve("rules"));
    Files.writeString(dir.resolve("rules/load.conf"), """
        rules = [
          {
            name = LoadHigh
            threshold { select = "load", aggregate = max, by = [node], window = 1s, step = 1s, condition = "> 5" }
            annotations { summary = "load of {{ $labels.node }} is {{ $value }}" }
          }
        ]
        """);
    agentPort = FreePorts.one();
    List<String> master = common();
    master.addAll(List.of("--set", "shennong.master.port=0", "--set", "shennong.master.metrics.port=-1",
        "--set", "shennong.master.status-interval=300ms", "--set", "shennong.master.report-grace=500ms"));
    start("shennong-master", MASTER_MAIN, master);
    List<String> agent = common();
    agent.addAll(List.of("--set", "shennong.agent.node-id=n1", "--set", "shennong.agent.port=" + agentPort,
        "--set", "shennong.agent.metrics.port=-1", "--set", "shennong.agent.reconnect-backoff=50ms",
        "--set", "shennong.agent.reconnect-backoff-max=300ms"));
    start("shennong-agent", AGENT_MAIN, agent);
    startMonitor("monitor-1");
    startMonitor("monitor-2");
    String leading = leader();
    String standby = leading.equals("monitor-1") ? "monitor-2" : "monitor-1";

    load("n1", 10.0);
    await().atMost(WAIT).until(() -> notifications.size() == 1);
    JsonNode firing = notification(0);
    assertThat(firing.get("status").asText()).isEqualTo("firing");
    assertThat(firing.get("groupLabels").get("alertname").asText()).isEqualTo("LoadHigh");
    assertThat(firing.get("alerts")).hasSize(1);
    assertThat(firing.get("alerts").get(0).get("annotations").get("summary").asText()).isEqualTo("load of n1 is 10");

    api(leading).addSilence(AddSilenceRequest.newBuilder().setMatchers("{node=\"n2\"}")
        .setEndsAtMs(System.currentTimeMillis() + 3_600_000).setCreatedBy("it").setComment("n2 is drained").build());
    load("n2", 20.0);
    await().atMost(WAIT).until(() -> {
      AlertInfo n2 = alert(leading, "n2");
      return n2 != null && n2.getPhase() == AlertPhase.ALERT_PHASE_FIRING && n2.getSilencedByCount() == 1;
    });

    ChildJvm.kill9(daemons.get(leading));
    long killedAt = System.currentTimeMillis();
    assertThat(leader()).isEqualTo(standby);
    // The new leader has seen fresh windows and looked at the group several times (group-interval 1s).
    await().atMost(WAIT).until(() -> api(standby).listRules(ListRulesRequest.getDefaultInstance()).getRules(0)
        .getLastEvaluatedMs() > killedAt + 4_000);
    assertThat(alert(standby, "n1").getPhase()).isEqualTo(AlertPhase.ALERT_PHASE_FIRING);
    assertThat(alert(standby, "n2").getSilencedByCount()).as("the silence survived the failover").isEqualTo(1);
    assertThat(notifications).as("nothing notified twice, the silenced alert not at all").hasSize(1);

    load("n1", 1.0);
    await().atMost(WAIT).until(() -> notifications.size() == 2);
    JsonNode resolved = notification(1);
    assertThat(resolved.get("status").asText()).isEqualTo("resolved");
    assertThat(resolved.get("alerts")).hasSize(1);
    assertThat(resolved.get("alerts").get(0).get("labels").get("node").asText()).isEqualTo("n1");
    assertThat(resolved.get("alerts").get(0).get("fingerprint").asText())
        .isEqualTo(firing.get("alerts").get(0).get("fingerprint").asText());
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> notifications.size() == 2);

    // Subscribers of Shennong saw the notifications too: one firing and one resolved event for n1.
    List<Event> events = new CopyOnWriteArrayList<>();
    try (FeitianClient fuxi = new FeitianClient(new ClusterTarget.ZooKeeper(zk.getConnectString(), "it", "feitian"),
        FeitianClient.Options.defaults()); MonitorClient client = new MonitorClient(fuxi);
        Subscription s = client.subscribe(SubscribeRequest.newBuilder().setSelector("monitor.alert.*")
            .setKind(Kind.KIND_EVENTS).setOperation(Operation.OPERATION_RAW).build(), new Subscription.Listener() {
              @Override
              public void onUpdate(SubscriptionUpdate update) {
                events.addAll(update.getEventsList());
              }

              @Override
              public void onEnd(Status status) {}
            })) {
      await().atMost(WAIT).until(() -> events.stream().anyMatch(e -> e.getName().equals("monitor.alert.resolved")));
      assertThat(events).extracting(e -> e.getName() + " " + e.getLabelsMap().get("node"))
          .containsExactly("monitor.alert.firing n1", "monitor.alert.resolved n1");
    }
  }
}
