package io.feitian.bench.shennong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.feitian.bench.LatencyHistogram;
import io.feitian.common.config.ConfigLoader;
import io.feitian.proto.shennong.v1.AgentServiceGrpc;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.shennong.agent.ShennongAgent;
import io.feitian.shennong.master.ShennongMaster;
import io.feitian.shennong.monitor.service.MonitorService;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The delay from a value crossing a rule's threshold to the firing notification, end to end on
 * real daemons in this JVM: an in-process ZooKeeper, a shennong-master, {@code --agents} agents
 * (gRPC on loopback), a monitor-service (the default {@code evaluation-interval} of 1 s; notified
 * groups by alertname and node with {@code group_wait} 0, so the notification follows the firing
 * at once) and a webhook receiver (a real HTTP server).
 *
 * <p>{@code --rules} rules {@code max by node of bench.m<r> > 0.9} with {@code for = --for} and
 * window and step 1 s each watch {@code --nodes} series (one per node label; the nodes are spread
 * over the agents), all written once a second at 0.5. Every {@code --every-ms} one series not
 * crossed before (on average; spaced at random so that crossings fall at every phase of
 * the windows) is written at 0.95 in a write of its own (the crossing; the clock starts just
 * before that call), and then at 0.95 with the others; its delay ends when the receiver gets a
 * notification saying its alert fires. {@code delay - for} is what the target bounds (under 2 s).
 *
 * <pre>
 * java -Xmx1g -cp bench/target/classes:$(cat bench/target/classpath.txt) \
 *     io.feitian.bench.shennong.AlertDelayBenchmark [--agents 4] [--rules 200] [--nodes 10] [--for 5s] \
 *     [--trials 40] [--every-ms 1000] [--warmup-s 20] [--seed N]
 * </pre>
 */
public final class AlertDelayBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AlertDelayBenchmark() {}

  public static void main(String[] args) throws Exception {
    int agents = 4;
    int rules = 200;
    int nodes = 10;
    long forMs = 5_000;
    int trials = 40;
    long everyMs = 1_000;
    long warmupS = 20;
    long seed = System.nanoTime();
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--agents" -> agents = Integer.parseInt(args[i + 1]);
        case "--rules" -> rules = Integer.parseInt(args[i + 1]);
        case "--nodes" -> nodes = Integer.parseInt(args[i + 1]);
        case "--for" -> forMs = ConfigLoader.load(null, Map.of("d", args[i + 1])).getDuration("d").toMillis();
        case "--trials" -> trials = Integer.parseInt(args[i + 1]);
        case "--every-ms" -> everyMs = Long.parseLong(args[i + 1]);
        case "--warmup-s" -> warmupS = Long.parseLong(args[i + 1]);
        case "--seed" -> seed = Long.parseLong(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (--agents, --rules, --nodes, --for, --trials, --every-ms, --warmup-s, --seed)");
      }
    }
    if (trials > rules * nodes) {
      throw new IllegalArgumentException("--trials " + trials + " needs as many series (--rules x --nodes)");
    }
    System.out.printf(Locale.ROOT, "%d agents, %d rules x %d nodes = %,d series at 1/s, for %d ms, %d trials"
        + " every %d ms, seed %d%n", agents, rules, nodes, rules * nodes, forMs, trials, everyMs, seed);
    Path dir = Files.createTempDirectory("alert-delay");
    Files.createDirectories(dir.resolve("rules"));
    StringBuilder file = new StringBuilder("rules = [\n");
    for (int r = 0; r < rules; r++) {
      file.append("  { name = Rule").append(r).append(", threshold { select = \"bench.m").append(r)
          .append("\", aggregate = max, by = [node], window = 1s, step = 1s, condition = \"> 0.9\" }, for = ")
          .append(forMs).append("ms, annotations { summary = \"{{ $labels.node }} at {{ $value }}\" } }\n");
    }
    Files.writeString(dir.resolve("rules/bench.conf"), file.append("]\n"));

    // What each series is written at, and the crossings: key "Rule<r>/n<node>" to the crossing's nanoTime.
    double[][] value = new double[rules][nodes];
    for (double[] v : value) {
      java.util.Arrays.fill(v, 0.5);
    }
    Map<String, Long> crossedAt = new ConcurrentHashMap<>();
    Map<String, Long> firedAfter = new ConcurrentHashMap<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      long at = System.nanoTime();
      JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
      for (JsonNode a : body.get("alerts")) {
        String key = a.get("labels").get("alertname").asText() + "/" + a.get("labels").get("node").asText();
        Long crossed = crossedAt.get(key);
        if ("firing".equals(a.get("status").asText()) && crossed != null) {
          firedAfter.putIfAbsent(key, at - crossed);
        }
      }
    });
    receiver.start();

    try (var zk = new org.apache.curator.test.TestingServer(new org.apache.curator.test.InstanceSpec(
        dir.resolve("zk").toFile(), -1, -1, -1, true, -1, 2000, -1), true)) {
      Map<String, Object> common = new LinkedHashMap<>();
      common.put("feitian.zookeeper.connect", zk.getConnectString());
      common.put("feitian.shennong.report", "false");
      common.put("shennong.master.port", 0);
      common.put("shennong.master.metrics.port", -1);
      common.put("shennong.agent.port", 0);
      common.put("shennong.agent.metrics.port", -1);
      ShennongMaster master = new ShennongMaster(ConfigLoader.load(null, common));
      master.start();
      List<ShennongAgent> agentList = new ArrayList<>();
      List<ManagedChannel> channels = new ArrayList<>();
      for (int a = 0; a < agents; a++) {
        Map<String, Object> c = new LinkedHashMap<>(common);
        c.put("shennong.agent.node-id", "agent" + a);
        ShennongAgent agent = new ShennongAgent(ConfigLoader.load(null, c));
        agent.start();
        agentList.add(agent);
        channels.add(NettyChannelBuilder.forTarget(agent.address()).usePlaintext().build());
      }
      Map<String, Object> m = new LinkedHashMap<>(common);
      m.put("shennong.monitor.port", 0);
      m.put("shennong.monitor.rules-dir", dir.resolve("rules").toString());
      m.put("shennong.monitor.data-dir", dir.resolve("monitor").toString());
      m.put("shennong.monitor.group-by", List.of("alertname", "node"));
      m.put("shennong.monitor.group-wait", "0s");
      m.put("shennong.monitor.webhooks", List.of("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"));
      MonitorService monitor = new MonitorService(ConfigLoader.load(null, m));
      monitor.start();

      int agentCount = agents;
      int ruleCount = rules;
      int nodeCount = nodes;
      ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
      writer.scheduleAtFixedRate(() -> {
        long now = System.currentTimeMillis();
        List<WriteRequest.Builder> requests = new ArrayList<>();
        for (int a = 0; a < agentCount; a++) {
          requests.add(WriteRequest.newBuilder().setSource("bench"));
        }
        for (int r = 0; r < ruleCount; r++) {
          for (int n = 0; n < nodeCount; n++) {
            requests.get(n % agentCount).addSamples(sample(r, n, now, value[r][n]));
          }
        }
        for (int a = 0; a < agentCount; a++) {
          write(channels.get(a), requests.get(a).build());
        }
      }, 0, 1, TimeUnit.SECONDS);
      System.out.printf(Locale.ROOT, "warming up %d s (subscriptions reach the agents, the JIT compiles)%n", warmupS);
      TimeUnit.SECONDS.sleep(warmupS);

      Random random = new Random(seed);
      for (int t = 0; t < trials; t++) {
        int r;
        int n;
        do {
          r = random.nextInt(rules);
          n = random.nextInt(nodes);
        } while (crossedAt.containsKey("Rule" + r + "/n" + n));
        int rr = r;
        int nn = n;
        writer.execute(() -> {
          value[rr][nn] = 0.95;
          crossedAt.put("Rule" + rr + "/n" + nn, System.nanoTime());
          write(channels.get(nn % agentCount), WriteRequest.newBuilder().setSource("bench")
              .addSamples(sample(rr, nn, System.currentTimeMillis(), 0.95)).build());
        });
        // Crossings at random phases of the 1 s windows and evaluations: a fixed spacing would give them all the same.
        TimeUnit.MILLISECONDS.sleep(everyMs / 2 + random.nextInt((int) everyMs));
      }
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(forMs + 60_000);
      while (firedAfter.size() < trials && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(100); // waiting for the receiver, with a deadline
      }
      writer.shutdownNow();
      LatencyHistogram delay = new LatencyHistogram();
      firedAfter.values().forEach(delay::record);
      System.out.printf(Locale.ROOT, "firing notifications received for %d of %d crossings%n", delay.count(), trials);
      System.out.printf(Locale.ROOT, "crossing to notification, ms: p50 %d  p99 %d  max %d  (minus for: p50 %d  p99 %d"
          + "  max %d)%n", delay.percentile(0.5) / 1_000_000, delay.percentile(0.99) / 1_000_000,
          delay.max() / 1_000_000, delay.percentile(0.5) / 1_000_000 - forMs,
          delay.percentile(0.99) / 1_000_000 - forMs, delay.max() / 1_000_000 - forMs);
      monitor.close();
      agentList.forEach(ShennongAgent::close);
      channels.forEach(ManagedChannel::shutdownNow);
      master.close();
    } finally {
      receiver.stop(0);
    }
    System.exit(0); // the daemons' client threads would keep the JVM up
  }

  private static Sample sample(int rule, int node, long atMs, double value) {
    return Sample.newBuilder().setName("bench.m" + rule).putLabels("node", "n" + node).setTimestampMs(atMs)
        .setValue(value).build();
  }

  private static void write(ManagedChannel channel, WriteRequest request) {
    try {
      AgentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS).write(request);
    } catch (RuntimeException e) {
      System.err.println("a write failed: " + e);
    }
  }
}
