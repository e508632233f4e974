package io.feitian.bench.e2e;

import io.feitian.bench.LatencyHistogram;
import io.feitian.proto.shennong.v1.Kind;
import io.feitian.proto.shennong.v1.ListAgentsRequest;
import io.feitian.proto.shennong.v1.MasterServiceGrpc;
import io.feitian.proto.shennong.v1.Operation;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.SampleUpdate;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.feitian.proto.shennong.v1.SubscriptionUpdate;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.testkit.ChildJvm;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/**
 * End to end through Shennong: a real shennong-master (a separate JVM with the launcher's -Xmx256m
 * and default GC) elected through a real ZooKeeper, {@code --agents} simulated agents in this JVM
 * ({@link SimAgent}: the agent's real subscription core and a real gRPC session stream each, no
 * node around them), writers that put {@code --series} samples into each agent every
 * {@code --period-ms} (spread over the period, not in one burst), and {@code --subscribers}
 * subscription streams to the master over gRPC, half RAW and half windowed.
 *
 * <ul>
 *   <li>RAW subscription i selects {@code bench.value{series="i mod series"}}: one series on every
 *       agent. Latency: from the sample's timestamp (the wall clock when the writer built it) to
 *       its arrival at the subscriber.</li>
 *   <li>Windowed subscription i selects one series the same way, with operations in turn SUM, AVG,
 *       MAX and QUANTILE (0.5, 0.99), and every other one grouped by {@code node} (one group per
 *       agent). Latency: from the window's end to the update's arrival; it includes the agents'
 *       evaluation delay (the agent's default: the samples' recent lag plus 5 ms, between 5 and
 *       50 ms), which is there on purpose to take samples still on their way; those that come
 *       later still are counted (Gap.late_samples, a row of the table).</li>
 * </ul>
 *
 * First updates (a subscription's current state) are not counted. After {@code --warmup}
 * seconds, the figures are taken over {@code --seconds}; CPU from /proc of the master and of this
 * JVM. {@code --jfr FILE} records the master with JFR. Results print as a Markdown table; commands
 * and results: docs/PERFORMANCE.md, "Shennong end to end".
 *
 * <pre>
 * java -Xmx3g -cp bench/target/classes:$(cat bench/target/classpath.txt) \
 *     io.feitian.bench.e2e.ShennongEndToEndBenchmark [--agents 200] [--subscribers 100] [--seconds 30]
 * </pre>
 */
public final class ShennongEndToEndBenchmark {
  private static final String MASTER_MAIN = "io.feitian.shennong.master.ShennongMasterMain";
  private static final List<Operation> WINDOWED_OPS = List.of(Operation.OPERATION_SUM, Operation.OPERATION_AVG,
      Operation.OPERATION_MAX, Operation.OPERATION_QUANTILE);

  private int agents = 200;
  private int subscribers = 100;
  private int series = 20;
  private long periodMs = 1000;
  private long windowMs = 1000;
  private double warmup = 15;
  private double seconds = 30;
  private String jfr;

  private final LatencyHistogram rawLatency = new LatencyHistogram();
  private final LatencyHistogram windowLatency = new LatencyHistogram();
  private final AtomicLong windowsWithMissingAgents = new AtomicLong();
  private final AtomicLong coalesced = new AtomicLong();
  private final AtomicLong lateSamples = new AtomicLong();
  private final AtomicLong sessionErrors = new AtomicLong();
  private final AtomicLong agentLoopErrors = new AtomicLong();
  private final AtomicLong subscriptionErrors = new AtomicLong();
  private volatile boolean stopping;

  public static void main(String[] args) throws Exception {
    ShennongEndToEndBenchmark b = new ShennongEndToEndBenchmark();
    for (int i = 0; i < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--agents" -> b.agents = Integer.parseInt(v);
        case "--subscribers" -> b.subscribers = Integer.parseInt(v);
        case "--series" -> b.series = Integer.parseInt(v);
        case "--period-ms" -> b.periodMs = Long.parseLong(v);
        case "--window-ms" -> b.windowMs = Long.parseLong(v);
        case "--warmup" -> b.warmup = Double.parseDouble(v);
        case "--seconds" -> b.seconds = Double.parseDouble(v);
        case "--jfr" -> b.jfr = v;
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (--agents, --subscribers, --series, --period-ms, --window-ms, --warmup, --seconds, --jfr)");
      }
    }
    b.run();
    System.exit(0);
  }

  private void run() throws Exception {
    Path dir = Files.createTempDirectory("feitian-shennong-e2e");
    TestingServer zk = new TestingServer(new InstanceSpec(dir.resolve("zk").toFile(), -1, -1, -1, true, -1, 200, -1),
        true);
    int masterPort = freePort();
    ChildJvm jvm = ChildJvm.of(MASTER_MAIN).args(
        "--set", "feitian.zookeeper.connect=" + zk.getConnectString(),
        "--set", "shennong.master.port=" + masterPort,
        "--set", "shennong.master.metrics.port=-1").log(dir.resolve("master.log"));
    BenchCluster.UNDO_CHILDJVM_DEFAULTS.forEach(jvm::jvmArg);
    jvm.jvmArg("-Xmx256m");
    if (jfr != null) {
      jvm.jvmArg("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile");
    }
    Process master = jvm.start();
    ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    List<SimAgent> simAgents = new ArrayList<>();
    ManagedChannel toMaster = NettyChannelBuilder.forTarget("127.0.0.1:" + masterPort).usePlaintext().build();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (master.isAlive()) {
        ChildJvm.signal("TERM", master); // lets JFR write its recording
      }
    }));
    try {
      awaitLeading(toMaster);
      for (int i = 0; i < agents; i++) {
        SimAgent a = new SimAgent(nodeId(i), rack(i), "127.0.0.1:" + masterPort, sessionErrors,
            agentLoopErrors);
        simAgents.add(a);
        a.connect();
        startWriter(timer, i, a);
      }
      awaitAgentsUp(toMaster);
      for (int i = 0; i < subscribers; i++) {
        subscribe(MasterServiceGrpc.newStub(toMaster), i);
      }
      Thread.sleep((long) (warmup * 1000));
      synchronized (this) {
        rawLatency.reset();
        windowLatency.reset();
      }
      windowsWithMissingAgents.set(0);
      coalesced.set(0);
      lateSamples.set(0);
      double masterCpu0 = ProcStats.cpuSeconds(master.pid());
      double selfCpu0 = ProcStats.selfCpuSeconds();
      Thread.sleep((long) (seconds * 1000));
      double masterCores = (ProcStats.cpuSeconds(master.pid()) - masterCpu0) / seconds;
      double selfCores = (ProcStats.selfCpuSeconds() - selfCpu0) / seconds;
      report(masterCores, selfCores, ProcStats.rssKib(master.pid()));
    } finally {
      stopping = true;
      timer.shutdownNow();
      simAgents.forEach(SimAgent::close);
      toMaster.shutdownNow();
      ChildJvm.signal("TERM", master);
      master.waitFor(30, TimeUnit.SECONDS);
      zk.close();
    }
  }

  private static String nodeId(int i) {
    return String.format(Locale.ROOT, "a%03d", i);
  }

  private static String rack(int i) {
    return String.format(Locale.ROOT, "rack-%02d", i % 10);
  }

  /** Waits until the master leads (a standby or a starting master refuses ListAgents). */
  private static void awaitLeading(ManagedChannel toMaster) throws InterruptedException {
    awaitAgents(toMaster, 0, "the master to lead");
  }

  private void awaitAgentsUp(ManagedChannel toMaster) throws InterruptedException {
    awaitAgents(toMaster, agents, "all " + agents + " agents to register");
  }

  private static void awaitAgents(ManagedChannel toMaster, int atLeast, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (MasterServiceGrpc.newBlockingStub(toMaster).withDeadlineAfter(5, TimeUnit.SECONDS)
            .listAgents(ListAgentsRequest.getDefaultInstance()).getAgentsCount() >= atLeast) {
          return;
        }
      } catch (RuntimeException notYet) {
        // the master is starting or not leading yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("waited 120 s for " + what);
  }

  /** Agent i's writer: every period, at its own offset in the period, all its series at once. */
  private void startWriter(ScheduledExecutorService timer, int agent, SimAgent simAgent) {
    long[] lastTimestamp = {0};
    long offsetMs = agent * periodMs / agents;
    timer.scheduleAtFixedRate(() -> {
      // Strictly increasing per series: an agent refuses a sample not newer than the last one.
      long ts = Math.max(System.currentTimeMillis(), lastTimestamp[0] + 1);
      lastTimestamp[0] = ts;
      WriteRequest.Builder w = WriteRequest.newBuilder().setSource("bench");
      for (int s = 0; s < series; s++) {
        w.addSamples(Sample.newBuilder().setName("bench.value").putLabels("node", nodeId(agent))
            .putLabels("rack", rack(agent)).putLabels("series", Integer.toString(s)).setTimestampMs(ts)
            .setValue(ThreadLocalRandom.current().nextDouble(100)));
      }
      simAgent.write(w.build());
    }, offsetMs, periodMs, TimeUnit.MILLISECONDS);
  }

  private void subscribe(MasterServiceGrpc.MasterServiceStub stub, int i) {
    boolean raw = i % 2 == 0;
    int n = i / 2;
    SubscribeRequest.Builder r = SubscribeRequest.newBuilder().setKind(Kind.KIND_METRICS)
        .setSelector("bench.value{series=\"" + (n % series) + "\"}");
    if (raw) {
      r.setOperation(Operation.OPERATION_RAW);
    } else {
      Operation op = WINDOWED_OPS.get(n % WINDOWED_OPS.size());
      r.setOperation(op).setWindowMs(windowMs).setStepMs(windowMs);
      if (op == Operation.OPERATION_QUANTILE) {
        r.addQuantiles(0.5).addQuantiles(0.99);
      }
      if (n % 2 == 1) {
        r.addGroupBy("node");
      }
    }
    stub.subscribe(r.build(), new StreamObserver<>() {
      private boolean first = true;

      @Override
      public void onNext(SubscriptionUpdate u) {
        long now = System.currentTimeMillis();
        if (first) {
          first = false; // the current state, not a new value
          return;
        }
        coalesced.addAndGet(u.getCoalescedUpdates());
        synchronized (ShennongEndToEndBenchmark.this) {
          if (raw) {
            for (SampleUpdate s : u.getSamplesList()) {
              rawLatency.record(TimeUnit.MILLISECONDS.toNanos(now - s.getSample().getTimestampMs()));
            }
          } else {
            windowLatency.record(TimeUnit.MILLISECONDS.toNanos(now - (u.getWindowStartMs() + windowMs)));
          }
        }
        if (!raw && u.hasGap() && u.getGap().getMissingAgentsCount() > 0) {
          windowsWithMissingAgents.incrementAndGet();
        }
        if (!raw) {
          lateSamples.addAndGet(u.getGap().getLateSamples());
        }
      }

      @Override
      public void onError(Throwable t) {
        if (!stopping) {
          subscriptionErrors.incrementAndGet();
          System.err.println("subscription " + i + " ended: " + t);
        }
      }

      @Override
      public void onCompleted() {}
    });
  }

  private synchronized void report(double masterCores, double selfCores, long masterRssKib) {
    System.out.printf(Locale.ROOT, "%n# Shennong end to end: %d agents x %d series every %d ms, %d subscribers "
        + "(%d RAW, %d windowed of %d ms), %.0f s after %.0f s warm-up, %d cores%n", agents, series, periodMs,
        subscribers, (subscribers + 1) / 2, subscribers / 2, windowMs, seconds, warmup,
        Runtime.getRuntime().availableProcessors());
    System.out.println("| figure | value |");
    System.out.println("| --- | --- |");
    row("RAW samples delivered per second", String.format(Locale.ROOT, "%,.0f", rawLatency.count() / seconds));
    row("RAW write to subscriber, ms (p50 / p99 / max)", percentiles(rawLatency));
    row("windows delivered per second", String.format(Locale.ROOT, "%,.0f", windowLatency.count() / seconds));
    row("window end to subscriber, ms (p50 / p99 / max)", percentiles(windowLatency));
    row("windows naming missing agents", Long.toString(windowsWithMissingAgents.get()));
    row("updates coalesced for slow subscribers", Long.toString(coalesced.get()));
    row("late samples (arrived after their window was reported, Gap.late_samples)", Long.toString(lateSamples.get()));
    row("master CPU (cores)", String.format(Locale.ROOT, "%.2f", masterCores));
    row("master resident memory (MiB)", Long.toString(masterRssKib / 1024));
    row("this JVM's CPU: agents, writers, subscribers (cores)", String.format(Locale.ROOT, "%.2f", selfCores));
    row("agent sessions ended / subscriptions ended", sessionErrors.get() + " / " + subscriptionErrors.get());
    row("failed steps of simulated agents", Long.toString(agentLoopErrors.get()));
  }

  private static void row(String figure, String value) {
    System.out.println("| " + figure + " | " + value + " |");
  }

  private static String percentiles(LatencyHistogram h) {
    return String.format(Locale.ROOT, "%d / %d / %d", TimeUnit.NANOSECONDS.toMillis(h.percentile(0.5)),
        TimeUnit.NANOSECONDS.toMillis(h.percentile(0.99)), TimeUnit.NANOSECONDS.toMillis(h.max()));
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
