package io.feitian.shennong.monitor.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.feitian.proto.shennong.v1.AddSilenceRequest;
import io.feitian.proto.shennong.v1.AlertInfo;
import io.feitian.proto.shennong.v1.AlertPhase;
import io.feitian.proto.shennong.v1.HistoryRequest;
import io.feitian.proto.shennong.v1.ListAlertsRequest;
import io.feitian.proto.shennong.v1.ListRulesRequest;
import io.feitian.proto.shennong.v1.MonitorServiceGrpc;
import io.feitian.proto.shennong.v1.ReloadRequest;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.shennong.agent.ShennongAgent;
import io.feitian.shennong.cluster.ShennongFixture;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon with real parts in one JVM: ZooKeeper, a shennong-master and an agent ({@link
 * ShennongFixture}), two
 * monitor-services and a webhook receiver. Values written through the agent fire a threshold rule;
 * the receiver gets one grouped notification; a silence mutes a second alert; the leader goes
 * and the standby notifies nothing twice; the value drops and one resolved notification follows.
 */
class MonitorServiceTest {
  static final String RULES = """
      rules = [
        {
          name = LoadHigh
          threshold { select = "load", aggregate = max, by = [node], window = 1s, step = 1s, condition = "> 5" }
          labels { severity = critical }
          annotations { summary = "load of {{ $labels.node }} is {{ $value }}" }
        }
      ]
      """;
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;
  private ShennongFixture cluster;
  private ShennongAgent agent;
  private WebhookReceiver receiver;
  private final List<MonitorService> monitors = new ArrayList<>();
  private final Map<String, Double> load = new ConcurrentHashMap<>();
  private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();

  @BeforeEach
  void start() throws Exception {
    cluster = new ShennongFixture(dir);
    cluster.startMaster();
    agent = cluster.startAgent("n1");
    receiver = new WebhookReceiver(1);
    Files.createDirectories(dir.resolve("rules"));
    Files.writeString(dir.resolve("rules/load.conf"), RULES);
  }

  @AfterEach
  void stop() throws Exception {
    writer.shutdownNow();
    monitors.forEach(MonitorService::close);
    cluster.close();
    receiver.close();
  }

  private MonitorService startMonitor(String name) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("shennong.monitor.port", 0);
    m.put("shennong.monitor.rules-dir", dir.resolve("rules").toString());
    m.put("shennong.monitor.data-dir", dir.resolve(name).toString());
    m.put("shennong.monitor.evaluation-interval", "200ms");
    m.put("shennong.monitor.group-wait", "500ms");
    m.put("shennong.monitor.group-interval", "1s");
    m.put("shennong.monitor.webhooks", List.of(receiver.url().toString()));
    m.put("shennong.monitor.webhook-backoff", "50ms");
    m.put("shennong.monitor.webhook-backoff-max", "200ms");
    MonitorService s = new MonitorService(cluster.config(m));
    s.start();
    monitors.add(s);
    return s;
  }

  private MonitorService leader() {
    await().atMost(WAIT).until(() -> monitors.stream().anyMatch(MonitorService::isLeader));
    return monitors.stream().filter(MonitorService::isLeader).findFirst().orElseThrow();
  }

  private MonitorServiceGrpc.MonitorServiceBlockingStub api(MonitorService s) {
    return MonitorServiceGrpc.newBlockingStub(cluster.channelTo(s.address())).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** Writes each node's current load every 100 ms (through the one agent, labelled by node). */
  private void writeLoads() {
    writer.scheduleAtFixedRate(() -> {
      WriteRequest.Builder w = WriteRequest.newBuilder().setSource("test");
      long now = System.currentTimeMillis();
      load.forEach((node, v) -> w.addSamples(Sample.newBuilder().setName("load").putLabels("node", node)
          .setTimestampMs(now).setValue(v)));
      try {
        cluster.agentStub(agent).withDeadlineAfter(2, TimeUnit.SECONDS).write(w.build());
      } catch (RuntimeException e) {
        // the next write tries again
      }
    }, 0, 100, TimeUnit.MILLISECONDS);
  }

  private AlertInfo alert(MonitorService s, String node) {
    return api(s).listAlerts(ListAlertsRequest.getDefaultInstance()).getAlertsList().stream()
        .filter(a -> node.equals(a.getLabelsMap().get("node"))).findFirst().orElse(null);
  }

  private List<JsonNode> notifications() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String body : receiver.taken()) {
      out.add(new ObjectMapper().readTree(body));
    }
    return out;
  }

  @Test
  void firesOnceMutesASilencedAlertSurvivesFailoverAndResolvesOnce() throws Exception {
    MonitorService first = startMonitor("m1");
    MonitorService first2 = startMonitor("m2");
    MonitorService leading = leader();
    MonitorService standby = leading == first ? first2 : first;
    load.put("n1", 10.0);
    writeLoads();

    await().atMost(WAIT).until(() -> receiver.taken().size() == 1);
    JsonNode firing = notifications().get(0);
    assertThat(firing.get("status").asText()).isEqualTo("firing");
    assertThat(firing.get("groupLabels").get("alertname").asText()).isEqualTo("LoadHigh");
    assertThat(firing.get("alerts")).hasSize(1);
    assertThat(firing.get("alerts").get(0).get("labels").get("node").asText()).isEqualTo("n1");
    assertThat(firing.get("alerts").get(0).get("annotations").get("summary").asText()).isEqualTo("load of n1 is 10");
    assertThat(receiver.attempts()).as("the first post failed and was retried").isEqualTo(2);

    assertThatThrownBy(() -> api(standby).listAlerts(ListAlertsRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getStatus().getDescription()).contains("leader=" + leading.address());
        });

    api(leading).addSilence(AddSilenceRequest.newBuilder().setMatchers("{node=\"n2\"}")
        .setEndsAtMs(System.currentTimeMillis() + 3_600_000).setCreatedBy("test").setComment("n2 is drained")
        .build());
    load.put("n2", 20.0);
    await().atMost(WAIT).until(() -> {
      AlertInfo n2 = alert(leading, "n2");
      return n2 != null && n2.getPhase() == AlertPhase.ALERT_PHASE_FIRING;
    });
    assertThat(alert(leading, "n2").getSilencedByList()).hasSize(1);

    leading.close();
    monitors.remove(leading);
    await().atMost(WAIT).until(standby::isLeader);
    // The new leader has evaluated with fresh windows and looked at the group more than once.
    long tookOver = System.currentTimeMillis();
    await().atMost(WAIT).until(() -> api(standby).listRules(ListRulesRequest.getDefaultInstance()).getRules(0)
        .getLastEvaluatedMs() > tookOver + 2_500);
    assertThat(alert(standby, "n1").getPhase()).isEqualTo(AlertPhase.ALERT_PHASE_FIRING);
    assertThat(receiver.taken()).as("nothing notified twice, the silenced alert not at all").hasSize(1);

    load.put("n1", 1.0);
    await().atMost(WAIT).until(() -> receiver.taken().size() == 2);
    JsonNode resolved = notifications().get(1);
    assertThat(resolved.get("status").asText()).isEqualTo("resolved");
    assertThat(resolved.get("alerts")).hasSize(1);
    assertThat(resolved.get("alerts").get(0).get("labels").get("node").asText()).isEqualTo("n1");
    assertThat(api(standby).history(HistoryRequest.getDefaultInstance()).getTransitionsList())
        .extracting(t -> t.getLabelsMap().get("node") + " " + t.getTo())
        .contains("n1 ALERT_PHASE_FIRING", "n2 ALERT_PHASE_FIRING", "n1 ALERT_PHASE_RESOLVED");
    assertThat(Files.readAllLines(dir.resolve("m1").resolve(AlertHistory.FILE)).size()
        + Files.readAllLines(dir.resolve("m2").resolve(AlertHistory.FILE)).size()).isEqualTo(3);
  }

  @Test
  void badInputIsRefusedNamingTheFieldAndABadRuleFileLeavesTheRulesRunning() throws Exception {
    MonitorService s = startMonitor("m1");
    leader();
    assertThatThrownBy(() -> api(s).addSilence(AddSilenceRequest.newBuilder().setEndsAtMs(Long.MAX_VALUE)
        .setCreatedBy("a").setComment("b").build()))
        .hasMessageContaining("INVALID_ARGUMENT: matchers: required");
    assertThatThrownBy(() -> api(s).addSilence(AddSilenceRequest.newBuilder().setMatchers("{node=~\".*\"}")
        .setEndsAtMs(Long.MAX_VALUE).setCreatedBy("a").setComment("b").build()))
        .hasMessageContaining("INVALID_ARGUMENT: matchers:").hasMessageContaining("would mute every alert");
    assertThatThrownBy(() -> api(s).addSilence(AddSilenceRequest.newBuilder().setMatchers("{node=\"n1\"}")
        .setEndsAtMs(1000).setCreatedBy("a").setComment("b").build()))
        .hasMessageContaining("INVALID_ARGUMENT: ends_at_ms");
    assertThatThrownBy(() -> api(s).history(HistoryRequest.newBuilder().setLimit(-1).build()))
        .hasMessageContaining("INVALID_ARGUMENT: limit");

    Files.writeString(dir.resolve("rules/zz-bad.conf"), "rules = [\n  { name = X, threshold { select = \"a\","
        + " aggregate = mean, window = 1s, condition = \"> 1\" } }\n]\n");
    assertThatThrownBy(() -> api(s).reload(ReloadRequest.getDefaultInstance()))
        .hasMessageContaining("FAILED_PRECONDITION: zz-bad.conf:2:").hasMessageContaining("mean");
    assertThat(api(s).listRules(ListRulesRequest.getDefaultInstance()).getRulesList())
        .extracting(r -> r.getName()).containsExactly("LoadHigh");

    Files.delete(dir.resolve("rules/zz-bad.conf"));
    Files.writeString(dir.resolve("rules/more.conf"), RULES.replace("LoadHigh", "LoadHigher"));
    assertThat(api(s).reload(ReloadRequest.getDefaultInstance()).getRules()).isEqualTo(2);
    assertThat(api(s).listRules(ListRulesRequest.getDefaultInstance()).getRulesList())
        .extracting(r -> r.getName()).containsExactly("LoadHigh", "LoadHigher");
  }

  /** Runs the feitian CLI in this JVM against the test's cluster; returns its exit code, stdout and stderr. */
  private String[] cli(String... args) {
    java.io.PrintStream out = System.out;
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream e = new java.io.ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--cluster", "zk://" + cluster.zkConnect(), "--cluster-name", "local"));
    int code;
    try {
      System.setOut(new java.io.PrintStream(o, true));
      System.setErr(new java.io.PrintStream(e, true));
      code = io.feitian.client.cli.FeitianCli.run(all.toArray(String[]::new));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return new String[] {Integer.toString(code), o.toString(), e.toString()};
  }

  @Test
  void feitianAlertsTalksToTheLeader() throws Exception {
    startMonitor("m1");
    startMonitor("m2");
    leader();
    String[] rules = cli("alerts", "rules");
    assertThat(rules[0]).as(rules[2]).isEqualTo("0");
    assertThat(rules[1]).contains("LoadHigh", "threshold", "load.conf:3");

    String[] added = cli("alerts", "silence", "add", "{node=\"n1\"}", "-d", "1h", "-m", "maintenance", "-a", "ops");
    assertThat(added[0]).as(added[2]).isEqualTo("0");
    // The last line: this JVM's log lines go to stdout too.
    String id = added[1].strip().lines().reduce((a, b) -> b).orElseThrow();
    assertThat(cli("alerts", "silence", "list")[1]).contains(id, "active", "{node=\"n1\"}", "maintenance");
    assertThat(cli("alerts", "silence", "expire", id)[1]).contains("silence " + id + " expired");
    assertThat(cli("alerts", "silence", "list", "--json")[1]).contains("\"state\": \"expired\"");

    String[] bad = cli("alerts", "silence", "add", "{}", "-m", "x");
    assertThat(bad[0]).isEqualTo("1");
    assertThat(bad[2]).contains("INVALID_ARGUMENT: matchers:");
    assertThat(cli("alerts", "silence", "expire", "nope")[2]).contains("NOT_FOUND");
    assertThat(cli("alerts", "reload")[1]).contains("reloaded 1 rules and 0 inhibitions");
    assertThat(cli("alerts")[1]).contains("STATE", "(none)");
    assertThat(cli("alerts", "history")[0]).isEqualTo("0");
  }
}
