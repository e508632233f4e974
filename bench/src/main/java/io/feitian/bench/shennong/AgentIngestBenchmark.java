package io.feitian.bench.shennong;

import io.feitian.common.config.ConfigLoader;
import io.feitian.proto.shennong.v1.AgentServiceGrpc;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.shennong.agent.ShennongAgent;
import io.feitian.shennong.series.SeriesKey;
import io.feitian.shennong.series.SeriesStore;
import io.feitian.shennong.series.StoreLimits;
import io.feitian.shennong.wire.Ingest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/**
 * How fast one shennong-agent takes samples on this machine, and what a series costs it.
 * <ol>
 *   <li>The write path alone ({@code Ingest.apply} on a {@code SeriesStore}): batches of
 *       {@code --batch} samples spread over {@code --series} series, then one sample per call.</li>
 *   <li>A real agent over gRPC on loopback (Netty, protobuf): the same batches from one client
 *       thread, and one sample per call.</li>
 *   <li>Heap per series with full default windows (2 min at 1 s: 121 samples), measured after GC.</li>
 * </ol>
 *
 * <pre>
 * flock /tmp/feitian-mvn.lock mvn -B -q -pl bench dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
 * java -Xmx2g -cp bench/target/classes:$(cat bench/target/classpath.txt) \
 *     io.feitian.bench.shennong.AgentIngestBenchmark [--seconds 10] [--series 10000] [--batch 1000]
 * </pre>
 */
public final class AgentIngestBenchmark {
  private AgentIngestBenchmark() {}

  public static void main(String[] args) throws Exception {
    int seconds = 10;
    int series = 10_000;
    int batch = 1000;
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
        case "--series" -> series = Integer.parseInt(args[i + 1]);
        case "--batch" -> batch = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--seconds, --series, --batch)");
      }
    }
    List<Map<String, String>> labels = new ArrayList<>();
    for (int s = 0; s < series; s++) {
      labels.add(Map.of("node", "n" + (s % 100), "series", Integer.toString(s)));
    }
    Map<String, Double> results = new LinkedHashMap<>();
    results.put("write path, batches of " + batch, corePath(labels, batch, seconds));
    results.put("write path, one sample per call", corePath(labels, 1, seconds));
    Path dir = Files.createTempDirectory("feitian-ingest-bench");
    try (TestingServer zk = new TestingServer(new InstanceSpec(dir.resolve("zk").toFile(), -1, -1, -1, true, -1,
        200, -1), true)) {
      ShennongAgent agent = new ShennongAgent(ConfigLoader.load(null, Map.of(
          "feitian.zookeeper.connect", zk.getConnectString(), "shennong.agent.port", 0,
          "shennong.agent.metrics.port", -1, "shennong.agent.node-id", "bench")));
      agent.start();
      ManagedChannel ch = NettyChannelBuilder.forTarget(agent.address()).usePlaintext().build();
      try {
        results.put("agent over gRPC, batches of " + batch, overGrpc(ch, labels, batch, seconds));
        results.put("agent over gRPC, one sample per call", overGrpc(ch, labels, 1, seconds));
      } finally {
        ch.shutdownNow();
        agent.close();
      }
    }
    System.out.printf(Locale.ROOT, "%n# one agent's ingest: %d series, %d s per figure, %d cores%n", series, seconds,
        Runtime.getRuntime().availableProcessors());
    System.out.println("| path | samples/s |");
    System.out.println("| --- | --- |");
    results.forEach((what, rate) -> System.out.printf(Locale.ROOT, "| %s | %,.0f |%n", what, rate));
    System.out.printf(Locale.ROOT, "heap per series with full default windows: %,.0f bytes%n", bytesPerSeries(100_000));
  }

  private static List<WriteRequest> requests(List<Map<String, String>> labels, int batch, long[] clock) {
    List<WriteRequest> out = new ArrayList<>();
    WriteRequest.Builder b = WriteRequest.newBuilder().setSource("bench");
    for (Map<String, String> l : labels) {
      b.addSamples(Sample.newBuilder().setName("bench.value").putAllLabels(l).setTimestampMs(clock[0]).setValue(1));
      if (b.getSamplesCount() == batch) {
        out.add(b.build());
        b = WriteRequest.newBuilder().setSource("bench");
      }
    }
    if (b.getSamplesCount() > 0) {
      out.add(b.build());
    }
    clock[0]++;
    return out;
  }

  /** Samples per second through Ingest.apply; every round writes each series once, a ms later than before. */
  private static double corePath(List<Map<String, String>> labels, int batch, int seconds) {
    SeriesStore store = new SeriesStore(new StoreLimits(StoreLimits.MAX_RETENTION_MS, 128, 1_000_000, 1_000_000));
    long[] clock = {1_700_000_000_000L};
    long samples = 0;
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    long start = System.nanoTime();
    while (System.nanoTime() < end) {
      // Requests are built before the clock starts each round would be fairer to the store, but a
      // writer builds them too: the figure includes protobuf building, as the agent's callers pay it.
      for (WriteRequest r : requests(labels, batch, clock)) {
        samples += Ingest.apply(store, r).response().getAcceptedSamples();
      }
    }
    return samples / ((System.nanoTime() - start) / 1e9);
  }

  /** The next timestamp the agent's series take: runs share one agent, and its series only move forward. */
  private static final long[] AGENT_CLOCK = {1_800_000_000_000L};

  private static double overGrpc(ManagedChannel ch, List<Map<String, String>> labels, int batch, int seconds) {
    AgentServiceGrpc.AgentServiceBlockingStub stub = AgentServiceGrpc.newBlockingStub(ch);
    long[] clock = AGENT_CLOCK;
    long samples = 0;
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    long start = System.nanoTime();
    outer:
    while (true) {
      for (WriteRequest r : requests(labels, batch, clock)) {
        samples += stub.write(r).getAcceptedSamples();
        if (System.nanoTime() > end) {
          break outer;
        }
      }
    }
    return samples / ((System.nanoTime() - start) / 1e9);
  }

  private static double bytesPerSeries(int count) {
    long before = usedAfterGc();
    StoreLimits d = StoreLimits.DEFAULT;
    SeriesStore store = new SeriesStore(new StoreLimits(d.retentionMs(), d.samplesPerSeries(), count, count));
    for (int t = 0; t < 121; t++) {
      for (int s = 0; s < count; s++) {
        store.append("bench", SeriesKey.of("bench.value", Map.of("series", Integer.toString(s))),
            1_700_000_000_000L + t * 1000L, t);
      }
    }
    long after = usedAfterGc();
    if (store.seriesCount() != count) {
      throw new IllegalStateException("expected " + count + " series, have " + store.seriesCount());
    }
    return (after - before) / (double) count;
  }

  private static long usedAfterGc() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
