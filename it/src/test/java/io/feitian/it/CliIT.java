package io.feitian.it;

import io.feitian.client.ClusterTarget;
import io.feitian.client.FeitianClient;
import io.feitian.client.shennong.MonitorClient;
import io.feitian.proto.shennong.v1.AgentServiceGrpc;
import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.Severity;
import io.feitian.proto.shennong.v1.SubscriptionUpdate;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.CompletableFuture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.util.JsonFormat;
import io.feitian.client.cli.FeitianCli;
import io.feitian.common.grpc.TlsProbe;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.security.TlsSettings;
import io.feitian.job.spec.JobSpecs;
import io.feitian.proto.fuxi.v1.ClusterStatus;
import io.feitian.proto.fuxi.v1.ListAppsResponse;
import io.feitian.proto.fuxi.v1.ListBlacklistResponse;
import io.feitian.proto.fuxi.v1.ListQuotasResponse;
import io.feitian.proto.job.v1.JobSpec;
import io.feitian.testkit.ChildJvm;
import io.feitian.testkit.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator CLI against real daemons: output, JSON, exit codes, and the local cluster. */
class CliIT {
  @TempDir
  Path dir;

  /** What one CLI run printed and returned. */
  record Run(int code, String out, String err) {}

  static synchronized Run cli(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = FeitianCli.run(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  static <T extends com.google.protobuf.Message.Builder> T json(String text, T builder) throws IOException {
    JsonFormat.parser().merge(text, builder);
    return builder;
  }

  @Test
  void commandsWorkAgainstARealClusterAndFailClearly() throws Exception {
    try (TestCluster c = new TestCluster(dir)) {
      c.startMaster();
      c.startMaster();
      c.startWorker("node-a", "r1");
      c.startWorker("node-b", "r2");
      c.awaitAliveNodes(2);
      await().atMost(Duration.ofSeconds(10)).until(() -> c.status().getMastersCount() == 2);
      String[] target = {"--cluster", "zk://" + c.zk.getConnectString(), "--cluster-name", "it"};

      Run status = cli(concat(new String[] {"cluster", "status"}, target));
      assertThat(status.code()).isZero();
      assertThat(status.out()).contains("leader:").contains("standbys:").contains("node-a").contains("node-b")
          .contains("4000m cpu, 4096 MiB");

      Run json = cli(concat(new String[] {"cluster", "status", "--json"}, target));
      ClusterStatus parsed = json(json.out(), ClusterStatus.newBuilder()).build();
      assertThat(parsed.getNodesCount()).isEqualTo(2);
      assertThat(parsed.getMastersCount()).isEqualTo(2);
      assertThat(parsed.getEpoch()).isPositive();

      assertThat(cli(concat(new String[] {"quota", "set", "batch", "--min-cpu", "1000", "--min-memory", "512",
          "--weight", "2"}, target)).code()).isZero();
      ListQuotasResponse quotas = json(cli(concat(new String[] {"quota", "list", "--json"}, target)).out(),
          ListQuotasResponse.newBuilder()).build();
      assertThat(quotas.getQuotasList()).extracting(q -> q.getName()).containsExactly("default", "batch");

      assertThat(cli(concat(new String[] {"blacklist", "add", "node-b", "--reason", "bad disk"}, target)).code()).isZero();
      ListBlacklistResponse bl = json(cli(concat(new String[] {"blacklist", "list", "--json"}, target)).out(),
          ListBlacklistResponse.newBuilder()).build();
      assertThat(bl.getEntriesList()).extracting(e -> e.getNodeId() + ":" + e.getReason()).containsExactly("node-b:bad disk");
      assertThat(cli(concat(new String[] {"blacklist", "remove", "node-b"}, target)).code()).isZero();

      Path spec = dir.resolve("app.json");
      Files.writeString(spec, "{\"name\": \"sleeper\", \"master\": {\"process\": {\"argv\": [\"sleep\", \"600\"]}},"
          + " \"masterResources\": {\"cpuMillis\": 100, \"memoryMib\": 64}}");
      Run submitted = cli(concat(new String[] {"app", "submit", spec.toString()}, target));
      assertThat(submitted.code()).isZero();
      String appId = submitted.out().strip();
      ListAppsResponse apps = json(cli(concat(new String[] {"app", "list", "--json"}, target)).out(),
          ListAppsResponse.newBuilder()).build();
      assertThat(apps.getAppsList()).extracting(a -> a.getAppId()).containsExactly(appId);
      assertThat(cli(concat(new String[] {"app", "kill", appId}, target)).out()).contains("KILLED");

      // Failures: a clear line on stderr and a non-zero exit code.
      Run unknown = cli(concat(new String[] {"app", "status", "app-999"}, target));
      assertThat(unknown.code()).isEqualTo(1);
      assertThat(unknown.err()).contains("NOT_FOUND").contains("app-999");
      Run badQuota = cli(concat(new String[] {"quota", "set", "g", "--min-cpu", "-5"}, target));
      assertThat(badQuota.code()).isEqualTo(1);
      assertThat(badQuota.err()).contains("INVALID_ARGUMENT").contains("quota.min.cpu_millis");
      Files.writeString(spec, "{\"name\": 12, \"bogus\": true}");
      Run badFile = cli(concat(new String[] {"app", "submit", spec.toString()}, target));
      assertThat(badFile.code()).isEqualTo(2);
      assertThat(badFile.err()).contains("not a valid application description");
      // A task whose grant is too small for its worker JVM: refused at submission, not when a worker starts.
      JobSpec job = Jobs.example("wordcount", dir.resolve("small-out"));
      Path small = dir.resolve("small.json");
      Files.writeString(small, JobSpecs.toJson(job.toBuilder().setTasks(1, job.getTasks(1).toBuilder()
          .setResources(job.getTasks(1).getResources().toBuilder().setMemoryMib(100))).build()));
      Run tooSmall = cli(concat(new String[] {"job", "submit", small.toString()}, target));
      assertThat(tooSmall.code()).isEqualTo(1);
      assertThat(tooSmall.err()).contains("INVALID_ARGUMENT")
          .contains("spec.description.tasks[1].resources.memory_mib is 100 MiB").contains("at least 144 MiB");
      assertThat(cli("no-such-command").code()).isEqualTo(2);
    }
  }

  @Test
  void noClusterIsAClearError() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Run r = cli("cluster", "status", "--cluster", "master://127.0.0.1:" + port);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).as("names the master it could not reach").contains("UNAVAILABLE")
        .contains("127.0.0.1:" + port);
  }

  /**
   * Ports for a local cluster whose ZooKeeper is on the first: the block `localUp` and the demo use,
   * and Shennong's ports, which the local cluster places 200-221 above the master port, the
   * monitor-services' (230-231 above) and the analysis-services' (240-241, their pages 245-246).
   */
  private static int localClusterPorts() {
    return FreePorts.block(1 + 246 + 1);
  }

  /** `local up --detach` in {@code local} on ports from {@code base} (ZooKeeper, 2 masters, 3 workers). */
  static Run localUp(int base, Path local, String... more) {
    return cli(concat(new String[] {"local", "up", "--detach", "--dir", local.toString(),
        "--zk-port", Integer.toString(base), "--master-port", Integer.toString(base + 1),
        "--worker-port", Integer.toString(base + 3)}, more));
  }

  /** The pids in the table `local up` printed. */
  static List<Long> pids(Run up) {
    List<Long> pids = new ArrayList<>();
    for (String line : up.out().lines().toList()) {
      String[] cols = line.trim().split("\\s+");
      if (cols.length == 4 && cols[2].matches("\\d+")) {
        pids.add(Long.parseLong(cols[2]));
      }
    }
    return pids;
  }

  /**
   * Shennong on the local cluster: a value written to the machine's agent reaches `feitian watch`;
   * `feitian events` lists the leader change the fuxi-master reported when it took office (held by
   * the agent, written before anyone subscribed) and exits; with --follow, an event written after
   * it began reaches it; a bad selector fails clearly.
   */
  private static void watchAndEventsFollowWhatTheLocalAgentIsGiven(int base, Run up) throws Exception {
    String zk = "zk://127.0.0.1:" + base;
    ManagedChannel agent = NettyChannelBuilder.forTarget("127.0.0.1:" + (base + 1 + 200)).usePlaintext().build();
    try (FeitianClient fuxi = new FeitianClient(ClusterTarget.parse(zk, "local"), FeitianClient.Options.defaults());
        MonitorClient monitor = new MonitorClient(fuxi)) {
      AgentServiceGrpc.AgentServiceBlockingStub writer = AgentServiceGrpc.newBlockingStub(agent)
          .withWaitForReady().withDeadlineAfter(60, TimeUnit.SECONDS);
      long now = System.currentTimeMillis();
      writer.write(WriteRequest.newBuilder().setSource("cli-it").addSamples(Sample.newBuilder().setName("demo.value")
          .putLabels("k", "v").setTimestampMs(now).setValue(42)).build());
      // Routed once the master has the agent's status naming the series.
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> monitor.agents(false).stream()
          .anyMatch(a -> a.getStatus().getSeriesNamesList().contains("demo.value")));
      // A cluster name nobody runs: the error says where the client looked.
      Run lost = cli("cluster", "status", "--cluster", zk, "--cluster-name", "nosuch");
      assertThat(lost.code()).isEqualTo(1);
      assertThat(lost.err()).contains("127.0.0.1:" + base).contains("/feitian/nosuch")
          .contains("feitian.cluster-name=nosuch");
      Run watch = cli("watch", "demo.value", "--op", "raw", "--count", "1", "--json", "--cluster", zk);
      assertThat(watch.code()).as(watch.err()).isZero();
      SubscriptionUpdate u = json(watch.out(), SubscriptionUpdate.newBuilder()).build();
      assertThat(u.getSamplesList()).singleElement().satisfies(s -> assertThat(s.getSample().getValue()).isEqualTo(42));

      // The machine's inspector reports the cluster's processes: the fuxi-masters' resident memory.
      List<String> masterPids = up.out().lines().filter(l -> l.trim().startsWith("fuxi-master-"))
          .map(l -> l.trim().split("\\s+")[2]).toList();
      assertThat(masterPids).hasSize(2);
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> monitor.agents(false).stream()
          .anyMatch(a -> a.getStatus().getSeriesNamesList().contains("process.memory.rss.bytes")));
      Run rss = cli("watch", "process.memory.rss.bytes{role=\"fuxi-master\"}", "--op", "raw", "--count", "1", "--json",
          "--cluster", zk);
      assertThat(rss.code()).as(rss.err()).isZero();
      SubscriptionUpdate masters = json(rss.out(), SubscriptionUpdate.newBuilder()).build();
      // Other local clusters on this machine may add their masters: one of ours is enough.
      assertThat(masters.getSamplesList()).as(rss.out()).anySatisfy(s -> {
        assertThat(s.getSample().getLabelsMap()).containsEntry("role", "fuxi-master").containsEntry("node", "local");
        assertThat(masterPids).contains(s.getSample().getLabelsMap().get("pid"));
        assertThat(s.getSample().getValue()).isGreaterThan(16.0 * 1024 * 1024);
      });

      Run bad = cli("watch", "demo.value{", "--cluster", zk);
      assertThat(bad.code()).isEqualTo(1);
      assertThat(bad.err()).contains("INVALID_ARGUMENT").contains("selector");

      // The fuxi-master's writer retries until the agent is up, so the event arrives; list until it has.
      Run[] listed = new Run[1];
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
        listed[0] = cli("events", "fuxi.*", "--cluster", zk);
        return listed[0].code() != 0 || listed[0].out().contains("fuxi.leader.changed");
      });
      assertThat(listed[0].code()).as(listed[0].err()).isZero();
      assertThat(listed[0].out()).contains("INFO  fuxi.leader.changed{");
      Run badEvents = cli("events", "job.{", "--cluster", zk);
      assertThat(badEvents.code()).isEqualTo(1);
      assertThat(badEvents.err()).contains("INVALID_ARGUMENT").contains("selector");

      CompletableFuture<Run> events = CompletableFuture.supplyAsync(
          () -> cli("events", "--follow", "job.*", "--count", "1", "--cluster", zk));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (long ts = now; !events.isDone() && System.nanoTime() < deadline; ts++) {
        writer.write(WriteRequest.newBuilder().setSource("cli-it").addEvents(Event.newBuilder().setName("job.failed")
            .setSeverity(Severity.SEVERITY_ERROR).putLabels("job", "wc").setTimestampMs(ts).setMessage("boom"))
            .build());
        Thread.sleep(200);
      }
      Run followed = events.get(5, TimeUnit.SECONDS);
      assertThat(followed.code()).as(followed.err()).isZero();
      assertThat(followed.out()).contains("ERROR  job.failed{job=\"wc\"}  boom");
    } finally {
      agent.shutdownNow();
    }
  }

  @Test
  void localUpStartsEveryDaemonAndLocalDownStopsThemAll() throws Exception {
    int base = localClusterPorts();
    Path local = dir.resolve("local");
    String[] where = {"--dir", local.toString()};
    Run up = localUp(base, local);
    List<Long> pids = new ArrayList<>();
    try {
      assertThat(up.code()).as(up.err()).isZero();
      assertThat(up.out()).contains("zookeeper").contains("fuxi-master-1").contains("fuxi-master-2")
          .contains("task-worker-3").contains("shennong-master-2").contains("shennong-agent")
          .contains("shennong-inspector").contains("monitor-service-2").contains("analysis-service-2")
          .contains("analysis page: http://127.0.0.1:" + (base + 1 + 245) + "/")
          .contains(local.resolve("logs").toString());
      pids.addAll(pids(up));
      assertThat(pids).hasSize(14);
      // Shennong starts once Fuxi is up, when `local up` returns: its daemons may still be starting.
      await().atMost(Duration.ofSeconds(120)).until(() -> cli("alerts", "rules", "--cluster", "zk://127.0.0.1:" + base)
          .code() == 0);
      // One analysis-service leads and answers the page's data; the standby answers 503 naming it.
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      await().atMost(Duration.ofSeconds(60)).until(() -> IntStream.of(base + 1 + 245, base + 1 + 246)
          .filter(port -> httpStatus(http, port, "/api/totals") == 200).count() == 1);
      Run status = cli("cluster", "status", "--json", "--cluster", "zk://127.0.0.1:" + base);
      ClusterStatus s = json(status.out(), ClusterStatus.newBuilder()).build();
      assertThat(s.getNodesCount()).isEqualTo(3);
      assertThat(s.getMastersCount()).isEqualTo(2);
      // Shennong checked on this same local cluster: a start and stop of fourteen daemons less for the suite.
      watchAndEventsFollowWhatTheLocalAgentIsGiven(base, up);

      Run again = cli(concat(new String[] {"local", "up", "--detach"}, where));
      assertThat(again.code()).isEqualTo(1);
      assertThat(again.err()).contains("already running");
    } finally {
      Run down = cli(concat(new String[] {"local", "down"}, where));
      // An assertion here replaces any failure above, so it says what `local up` printed too.
      assertThat(down.code()).as("local down: %s%s%nlocal up: %s%s", down.out(), down.err(), up.out(), up.err())
          .isZero();
    }
    assertThat(pids).noneMatch(Apps::alive);
    assertThat(cli(concat(new String[] {"local", "down"}, where)).code()).isEqualTo(1);
  }

  /**
   * `local up --secure`: every daemon but ZooKeeper serves mutual TLS and wants tokens, none has a secret
   * on its command line, and the CLI (a separate process told where the local cluster is) needs no flag.
   */
  @Test
  void localUpSecureServesOnlyClientsWithItsCredentialsWhichTheCliFindsItself() throws Exception {
    int base = localClusterPorts();
    Path local = dir.resolve("secure-local");
    Path secure = local.resolve("secure");
    String[] where = {"--dir", local.toString()};
    String zk = "zk://127.0.0.1:" + base;
    Run up = localUp(base, local, "--secure");
    try {
      assertThat(up.code()).as(up.out() + up.err()).isZero();
      assertThat(up.out()).contains("secured with mutual TLS and tokens").contains(secure.toString())
          .contains("alice.token (alice, user)").contains("automatically")
          .contains("export FEITIAN_LOCAL_DIR=" + local);
      List<String> tokens = Files.readAllLines(secure.resolve("tokens")).stream()
          .filter(l -> !l.startsWith("#")).map(l -> l.split(" ")[0]).toList();
      assertThat(tokens).hasSize(4);
      // Whole command lines (ProcessHandle.Info cuts them at a page; the classpath alone is longer).
      List<String> commandLines = new ArrayList<>();
      for (long pid : pids(up)) {
        commandLines.add(Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' '));
      }
      assertThat(commandLines).hasSize(14);
      for (String commandLine : commandLines) {
        assertThat(commandLine).doesNotContain(tokens);
      }
      assertThat(commandLines).filteredOn(c -> c.contains("feitian.security.token-file=" + secure.resolve("daemon.token"))
          && c.contains("feitian.security.tls.client-auth=require")).hasSize(13);

      assertThat(TlsProbe.speaksTls("127.0.0.1:" + (base + 1), Duration.ofSeconds(5))).isTrue();

      // The agent's /metrics: HTTPS as Prometheus would scrape it, with the CA, a client certificate and a reader's token.
      HttpClient scraper = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(TlsSettings.client(
          secure.resolve("ca.pem").toFile(), secure.resolve("operator.pem").toFile(),
          secure.resolve("operator.key").toFile()).sslContext()).build();
      URI agentMetrics = URI.create("https://127.0.0.1:" + (base + 1 + 201) + "/metrics");
      String viewer = SecuritySettings.readToken(secure.resolve("viewer.token"));
      HttpRequest scrape = HttpRequest.newBuilder(agentMetrics).timeout(Duration.ofSeconds(10))
          .header("Authorization", "Bearer " + viewer).build();
      // The agent starts once Fuxi is up, when `local up` returns.
      await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(
          () -> scraper.send(scrape, HttpResponse.BodyHandlers.ofString()).body().contains("shennong_agent_series{"));
      assertThat(scraper.send(HttpRequest.newBuilder(agentMetrics).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);

      // No flags: the CLI finds the CA, the operator's certificate and token through FEITIAN_LOCAL_DIR.
      Path log = dir.resolve("cli.log");
      Process cli = ChildJvm.of(FeitianCli.class).env("FEITIAN_LOCAL_DIR", local.toString())
          .args("cluster", "status", "--cluster", zk).log(log).start();
      assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(cli.exitValue()).as(Files.readString(log)).isZero();
      assertThat(Files.readString(log)).contains("leader:").contains("node-1").contains("node-3");

      // A job too: its master and workers get their node's credentials.
      Path job = dir.resolve("secure-wordcount.json");
      Path out = dir.resolve("secure-out");
      Files.writeString(job, JobSpecs.toJson(Jobs.example("wordcount", out)));
      Path jobLog = dir.resolve("cli-job.log");
      Process submit = ChildJvm.of(FeitianCli.class).env("FEITIAN_LOCAL_DIR", local.toString())
          .args("job", "submit", job.toString(), "--wait", "--cluster", zk).log(jobLog).start();
      assertThat(submit.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(submit.exitValue()).as(Files.readString(jobLog)).isZero();
      assertThat(Jobs.outputLines(out, "count")).isNotEmpty();

      // Without them (this JVM's local directory has none): refused, in plaintext and with TLS but no token.
      Run plain = cli("cluster", "status", "--cluster", zk);
      assertThat(plain.code()).isEqualTo(1);
      assertThat(plain.err()).contains("UNAVAILABLE");
      String[] tls = {"--cluster", zk, "--tls-ca", secure.resolve("ca.pem").toString(),
          "--tls-cert", secure.resolve("operator.pem").toString(), "--tls-key", secure.resolve("operator.key").toString()};
      Run noToken = cli(concat(new String[] {"cluster", "status"}, tls));
      assertThat(noToken.code()).isEqualTo(1);
      assertThat(noToken.err()).contains("UNAUTHENTICATED");
      Run user = cli(concat(new String[] {"cluster", "status", "--token-file", secure.resolve("alice.token").toString()},
          tls));
      assertThat(user.code()).as(user.err()).isZero();
    } finally {
      Run down = cli(concat(new String[] {"local", "down"}, where));
      assertThat(down.code()).as("local down: %s%s%nlocal up: %s%s", down.out(), down.err(), up.out(), up.err())
          .isZero();
    }
    assertThat(secure).doesNotExist();
  }

  @Test
  void localDemoRunsWordCountShowsTheTopWordsAndStopsEverything() throws Exception {
    int base = localClusterPorts();
    Path local = dir.resolve("demo");
    Run demo = cli("local", "demo", "--dir", local.toString(), "--zk-port", Integer.toString(base),
        "--master-port", Integer.toString(base + 1), "--worker-port", Integer.toString(base + 3),
        "--output", dir.resolve("demo-output").toString(), "--examples", Jobs.EXAMPLES.toString());
    assertThat(demo.code()).as(demo.out() + demo.err()).isZero();
    long the = JobsIT.wordCounts(Jobs.EXAMPLES.resolve("data/text")).get("the");
    assertThat(demo.out()).contains("SUCCEEDED").contains("top 10 words").containsPattern("(?m)^the\\s+" + the + "$")
        .contains("full output: " + dir.resolve("demo-output")).contains("stopped");
    // Nothing is left running.
    assertThat(cli("local", "down", "--dir", local.toString()).code()).isEqualTo(1);
    assertThat(ProcessHandle.allProcesses().map(h -> h.info().commandLine().orElse(""))
        .filter(c -> c.contains(local.toString()))).isEmpty();
  }

  /** The HTTP status of GET path on 127.0.0.1:port, or -1 when nothing answers. */
  private static int httpStatus(HttpClient http, int port, String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  static String[] concat(String[] a, String[] b) {
    String[] r = new String[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
