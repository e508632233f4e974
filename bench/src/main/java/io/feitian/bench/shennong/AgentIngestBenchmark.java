package io.feitian.bench.shennong;

import io.feitian.common.config.ConfigLoader;
import io.feitian.proto.shennong.v1.AgentServiceGrpc;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.SeriesSamples;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.proto.shennong.v1.WriteResponse;
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
import java.util.function.LongFunction;
import java.util.function.ToLongFunction;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/**
 * How fast one shennong-agent takes samples on this machine, and what a series costs it.
 * <ol>
 *   <li>The write path alone ({@code Ingest.apply} on a {@code SeriesStore}): requests of
 *       {@code --batch} samples over {@code --series} series, in each form, then one sample per call.</li>
 *   <li>A real agent over gRPC on loopback (Netty, protobuf): the same requests from one client
 *       thread that waits for each answer, and one sample per call.</li>
 *   <li>Heap per series with full default windows (2 min at 1 s: 121 samples), measured after GC.</li>
 * </ol>
 * The forms: {@code samples} (one Sample message per sample, each with its name and labels) and
 * {@code series} (a SeriesSamples per series holding {@code --points} consecutive points of it,
 * {@code --batch / --points} series per request). Every round writes each series once (samples)
 * or {@code --points} times (series), newer than before; the client builds its requests as it
 * goes, in the same JVM (so on the same 2 cores), as a writer pays for building them too. Each
 * figure runs {@code --warmup} seconds unmeasured first. A refused sample stops the benchmark.
 *
 * <pre>
 * flock /tmp/feitian-mvn.lock mvn -B -q -pl bench dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
 * java -Xmx2g -cp bench/target/classes:$(cat bench/target/classpath.txt) \
 *     io.feitian.bench.shennong.AgentIngestBenchmark [--seconds 10] [--warmup 3] [--series 10000] \
 *     [--batch 1000] [--form samples|series|both] [--points 10]
 * </pre>
 */
public final class AgentIngestBenchmark {
  private AgentIngestBenchmark() {}

  /**
   * One way of writing: {@code round} builds the requests that write every series once more, its
   * points from the given time on; the clock then moves {@code pointsPerSeries} ms.
   */
  private record Form(String describe, int pointsPerSeries, LongFunction<List<WriteRequest>> round) {}

  public static void main(String[] args) throws Exception {
    int seconds = 10;
    int warmup = 3;
    int series = 10_000;
    int batch = 1000;
    int points = 10;
    String form = "both";
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--series" -> series = Integer.parseInt(args[i + 1]);
        case "--batch" -> batch = Integer.parseInt(args[i + 1]);
        case "--points" -> points = Integer.parseInt(args[i + 1]);
        case "--form" -> form = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (--seconds, --warmup, --series, --batch, --points, --form samples|series|both)");
      }
    }
    if (batch % points != 0) {
      throw new IllegalArgumentException("--batch " + batch + " must be a multiple of --points " + points);
    }
    List<Map<String, String>> labels = new ArrayList<>();
    for (int s = 0; s < series; s++) {
      labels.add(Map.of("node", "n" + (s % 100), "series", Integer.toString(s)));
    }
    List<Form> batched = new ArrayList<>();
    if (!form.equals("series")) {
      batched.add(samples(labels, batch));
    }
    if (!form.equals("samples")) {
      batched.add(series(labels, batch, points));
    }
    Form single = samples(labels, 1);
    Timing timing = new Timing(warmup, seconds);
    Map<String, Double> results = new LinkedHashMap<>();
    for (Form f : batched) {
      results.put("write path, " + f.describe(), timing.rate(corePath(f)));
    }
    results.put("write path, one sample per call", timing.rate(corePath(single)));
    Path dir = Files.createTempDirectory("feitian-ingest-bench");
    try (TestingServer zk = new TestingServer(new InstanceSpec(dir.resolve("zk").toFile(), -1, -1, -1, true, -1,
        200, -1), true)) {
      ShennongAgent agent = new ShennongAgent(ConfigLoader.load(null, Map.of(
          "feitian.zookeeper.connect", zk.getConnectString(), "shennong.agent.port", 0,
          "shennong.agent.metrics.port", -1, "shennong.agent.node-id", "bench")));
      agent.start();
      ManagedChannel ch = NettyChannelBuilder.forTarget(agent.address()).usePlaintext().build();
      try {
        AgentServiceGrpc.AgentServiceBlockingStub stub = AgentServiceGrpc.newBlockingStub(ch);
        for (Form f : batched) {
          results.put("agent over gRPC, " + f.describe(), timing.rate(overGrpc(stub, f)));
        }
        results.put("agent over gRPC, one sample per call", timing.rate(overGrpc(stub, single)));
      } finally {
        ch.shutdownNow();
        agent.close();
      }
    }
    System.out.printf(Locale.ROOT, "%n# one agent's ingest: %d series, %d s per figure after %d s of warm-up, %d cores%n",
        series, seconds, warmup, Runtime.getRuntime().availableProcessors());
    System.out.println("| path | samples/s |");
    System.out.println("| --- | --- |");
    results.forEach((what, rate) -> System.out.printf(Locale.ROOT, "| %s | %,.0f |%n", what, rate));
    System.out.printf(Locale.ROOT, "heap per series with full default windows: %,.0f bytes%n", bytesPerSeries(100_000));
  }

  private static Form samples(List<Map<String, String>> labels, int batch) {
    return new Form(batch == 1 ? "one sample per call" : "samples form, " + batch + " samples per request", 1,
        firstMs -> {
          List<WriteRequest> out = new ArrayList<>();
          WriteRequest.Builder b = WriteRequest.newBuilder().setSource("bench");
          for (Map<String, String> l : labels) {
            b.addSamples(Sample.newBuilder().setName("bench.value").putAllLabels(l).setTimestampMs(firstMs)
                .setValue(1));
            if (b.getSamplesCount() == batch) {
              out.add(b.build());
              b = WriteRequest.newBuilder().setSource("bench");
            }
          }
          if (b.getSamplesCount() > 0) {
            out.add(b.build());
          }
          return out;
        });
  }

  private static Form series(List<Map<String, String>> labels, int batch, int points) {
    return new Form("series form, " + batch + " samples per request (" + batch / points + " series of " + points
        + " points)", points, firstMs -> {
          List<WriteRequest> out = new ArrayList<>();
          WriteRequest.Builder b = WriteRequest.newBuilder().setSource("bench");
          for (Map<String, String> l : labels) {
            SeriesSamples.Builder s = SeriesSamples.newBuilder().setName("bench.value").putAllLabels(l);
            for (int p = 0; p < points; p++) {
              s.addTimestampsMs(firstMs + p).addValues(p);
            }
            b.addSeries(s);
            if (b.getSeriesCount() * points == batch) {
              out.add(b.build());
              b = WriteRequest.newBuilder().setSource("bench");
            }
          }
          if (b.getSeriesCount() > 0) {
            out.add(b.build());
          }
          return out;
        });
  }

  /** Runs a writer for the warm-up, then for the measured seconds; samples per second of the latter. */
  private record Timing(int warmupSeconds, int seconds) {
    /** {@code writer} writes for as long as it is given (nanoTime deadline) and returns the samples it wrote. */
    double rate(ToLongFunction<Long> writer) {
      writer.applyAsLong(System.nanoTime() + warmupSeconds * 1_000_000_000L);
      long start = System.nanoTime();
      long samples = writer.applyAsLong(start + seconds * 1_000_000_000L);
      return samples / ((System.nanoTime() - start) / 1e9);
    }
  }

  /** Through Ingest.apply on a fresh store. */
  private static ToLongFunction<Long> corePath(Form form) {
    SeriesStore store = new SeriesStore(new StoreLimits(StoreLimits.MAX_RETENTION_MS, 128, 1_000_000, 1_000_000));
    long[] clock = {1_700_000_000_000L};
    return deadline -> write(form, clock, deadline, r -> Ingest.apply(store, r).response());
  }

  /** The next timestamp the agent's series take: runs share one agent, and its series only move forward. */
  private static final long[] AGENT_CLOCK = {1_800_000_000_000L};

  private static ToLongFunction<Long> overGrpc(AgentServiceGrpc.AgentServiceBlockingStub stub, Form form) {
    return deadline -> write(form, AGENT_CLOCK, deadline, stub::write);
  }

  private interface Writer {
    WriteResponse write(WriteRequest request);
  }

  /** Writes rounds until the deadline; returns the samples accepted. */
  private static long write(Form form, long[] clock, long deadline, Writer writer) {
    long samples = 0;
    while (true) {
      List<WriteRequest> round = form.round().apply(clock[0]);
      clock[0] += form.pointsPerSeries();
      for (WriteRequest r : round) {
        WriteResponse response = writer.write(r);
        if (response.getRefusalsCount() > 0) {
          throw new IllegalStateException("the agent refused samples: " + response);
        }
        samples += response.getAcceptedSamples();
        if (System.nanoTime() > deadline) {
          return samples;
        }
      }
    }
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
