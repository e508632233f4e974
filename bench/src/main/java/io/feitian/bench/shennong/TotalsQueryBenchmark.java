package io.feitian.bench.shennong;

import io.feitian.bench.LatencyHistogram;
import io.feitian.common.config.ConfigLoader;
import io.feitian.proto.shennong.v1.AnalysisServiceGrpc;
import io.feitian.proto.shennong.v1.QueryRequest;
import io.feitian.proto.shennong.v1.QueryResponse;
import io.feitian.shennong.analysis.AnalysisSettings;
import io.feitian.shennong.analysis.ClusterTotals;
import io.feitian.shennong.analysis.NodeInfo;
import io.feitian.shennong.analysis.QueryResult;
import io.feitian.shennong.analysis.TotalsQuery;
import io.feitian.shennong.analysis.service.AnalysisService;
import io.feitian.shennong.master.ShennongMaster;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/**
 * A 24-hour range query over analysis-service's cluster totals with the full default history
 * (10 s for the last hour, 1 min for 24 h; {@link AnalysisSettings#defaults()}):
 * <ol>
 *   <li>The history is made by the pure core ({@link ClusterTotals}) on a simulated clock ending
 *       now: {@code --nodes} nodes in {@code --racks} racks (3 masters, the rest workers), each
 *       writing every fine step what the inspector, a task-worker and the masters write: CPU,
 *       memory, two disks, one interface, workers, the instances of 2 of {@code --jobs} jobs, the
 *       workers of 1 of {@code --services} services, and 3 processes labelled by application.</li>
 *   <li>The pure core answers the queries ({@code ClusterTotals.query}).</li>
 *   <li>The same history, written as the snapshot file, is restored by a real analysis-service
 *       (in this JVM, with an in-process ZooKeeper and a shennong-master) and the same queries go
 *       through its Query RPC on loopback (Netty, protobuf, the term's loop), one at a time from
 *       one client thread.</li>
 * </ol>
 * Each query runs {@code --warmup} times unmeasured, then {@code --runs} times; median, p99, max.
 *
 * <pre>
 * java -Xmx2g -cp bench/target/classes:$(cat bench/target/classpath.txt) \
 *     io.feitian.bench.shennong.TotalsQueryBenchmark [--nodes 100] [--racks 5] [--jobs 20] [--services 5] \
 *     [--warmup 50] [--runs 200]
 * </pre>
 */
public final class TotalsQueryBenchmark {
  private static final long HOUR = 3_600_000;

  private TotalsQueryBenchmark() {}

  public static void main(String[] args) throws Exception {
    int nodes = 100;
    int racks = 5;
    int jobs = 20;
    int services = 5;
    int warmup = 50;
    int runs = 200;
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--nodes" -> nodes = Integer.parseInt(args[i + 1]);
        case "--racks" -> racks = Integer.parseInt(args[i + 1]);
        case "--jobs" -> jobs = Integer.parseInt(args[i + 1]);
        case "--services" -> services = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--runs" -> runs = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (--nodes, --racks, --jobs, --services, --warmup, --runs)");
      }
    }
    AnalysisSettings settings = AnalysisSettings.defaults();
    long now = System.currentTimeMillis();
    long t0 = System.nanoTime();
    ClusterTotals core = history(settings, now, nodes, racks, jobs, services);
    byte[] snapshot = core.snapshot(now);
    System.out.printf(Locale.ROOT, "24 h of history for %d nodes (%d racks, %d jobs, %d services): %,d series,"
        + " %,d samples taken, snapshot %,d bytes, made in %.1f s%n", nodes, racks, jobs, services,
        core.seriesCount(), core.counts().of(io.feitian.shennong.analysis.Counts.Kind.ACCEPTED), snapshot.length,
        (System.nanoTime() - t0) / 1e9);

    // 24 h at the coarse resolution (1 min), and the last hour at the fine one (10 s); ranges relative to now.
    long day = 24 * HOUR - 60_000;
    Map<String, TotalsQuery> queries = new LinkedHashMap<>();
    queries.put("24 h, cpu.cores.used, cluster", new TotalsQuery("cpu.cores.used", "cluster", -day, 0, 60_000));
    queries.put("24 h, cpu.cores.used, by node", new TotalsQuery("cpu.cores.used", "node", -day, 0, 60_000));
    queries.put("24 h, every total, cluster", new TotalsQuery("*", "cluster", -day, 0, 60_000));
    queries.put("24 h, every total, by rack", new TotalsQuery("*", "rack", -day, 0, 60_000));
    queries.put("24 h, every total, by job", new TotalsQuery("*", "job", -day, 0, 60_000));
    queries.put("16 h, cpu.*, by node", new TotalsQuery("cpu.*", "node", -16 * HOUR + 60_000, 0, 60_000));
    queries.put("24 h, every total, by node", new TotalsQuery("*", "node", -day, 0, 60_000));
    queries.put("1 h at 10 s, every total, by node", new TotalsQuery("*", "node", -HOUR + 10_000, 0, 10_000));

    System.out.println("pure core (ClusterTotals.query):");
    for (Map.Entry<String, TotalsQuery> q : queries.entrySet()) {
      measure(q.getKey(), warmup, runs, () -> {
        long at = System.currentTimeMillis();
        QueryResult r = core.query(range(q.getValue(), at), at);
        return new long[] {r.series().size(), r.series().stream().mapToLong(s -> s.points().size()).sum()};
      });
    }

    Path dir = Files.createTempDirectory("totals-bench");
    Files.createDirectories(dir.resolve("analysis"));
    Files.write(dir.resolve("analysis").resolve("totals.snapshot"), snapshot);
    try (TestingServer zk = new TestingServer(new InstanceSpec(dir.resolve("zk").toFile(), -1, -1, -1, true, -1,
        2000, -1), true)) {
      Map<String, Object> conf = new LinkedHashMap<>();
      conf.put("feitian.zookeeper.connect", zk.getConnectString());
      conf.put("feitian.shennong.report", "false");
      conf.put("shennong.master.port", 0);
      conf.put("shennong.master.metrics.port", -1);
      conf.put("shennong.analysis.port", 0);
      conf.put("shennong.analysis.data-dir", dir.resolve("analysis").toString());
      conf.put("shennong.analysis.snapshot-interval", "1h");
      conf.put("shennong.analysis.node-info-interval", "1h");
      ShennongMaster master = new ShennongMaster(ConfigLoader.load(null, conf));
      master.start();
      AnalysisService service = new AnalysisService(ConfigLoader.load(null, conf));
      service.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!service.isLeader()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the analysis-service was not elected within 60 s");
        }
        Thread.sleep(50); // polling the election, not standing in for a condition
      }
      ManagedChannel channel = NettyChannelBuilder.forTarget(service.address()).usePlaintext().build();
      try {
        System.out.println("Query RPC on loopback (a real analysis-service, restored from the snapshot):");
        for (Map.Entry<String, TotalsQuery> q : queries.entrySet()) {
          try {
            rpc(q.getKey(), q.getValue(), channel, warmup, runs);
          } catch (io.grpc.StatusRuntimeException e) {
            // an answer of more than 200,000 points is refused (INVALID_ARGUMENT naming the step)
            System.out.printf(Locale.ROOT, "  %-36s fails: %s%n", q.getKey(), e.getStatus());
          }
        }
      } finally {
        channel.shutdownNow();
        service.close();
        master.close();
      }
    }
    System.exit(0); // the daemons' client threads would keep the JVM up
  }

  private static void rpc(String what, TotalsQuery query, ManagedChannel channel, int warmup, int runs) {
    measure(what, warmup, runs, () -> {
      TotalsQuery r = range(query, System.currentTimeMillis());
      QueryResponse answer = AnalysisServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .query(QueryRequest.newBuilder().setSelector(r.selector()).setGrouping(r.grouping())
              .setStartMs(r.startMs()).setEndMs(r.endMs()).setStepMs(r.stepMs()).build());
      return new long[] {answer.getSeriesCount(), answer.getSeriesList().stream().mapToLong(s -> s.getAvgCount()).sum()};
    });
  }

  /** The query with its range (relative to now) ending at {@code nowMs}. */
  private static TotalsQuery range(TotalsQuery q, long nowMs) {
    return new TotalsQuery(q.selector(), q.grouping(), nowMs + q.startMs(), nowMs + q.endMs(), q.stepMs());
  }

  private static void measure(String what, int warmup, int runs, Supplier<long[]> query) {
    LatencyHistogram h = new LatencyHistogram();
    long[] size = null;
    for (int i = 0; i < warmup + runs; i++) {
      long t = System.nanoTime();
      size = query.get();
      if (i >= warmup) {
        h.record(System.nanoTime() - t);
      }
    }
    System.out.printf(Locale.ROOT, "  %-36s %5d series %,9d points   ms p50 %7.2f  p99 %7.2f  max %7.2f%n", what,
        size[0], size[1], h.percentile(0.5) / 1e6, h.percentile(0.99) / 1e6, h.max() / 1e6);
  }

  /** A core with 24 hours of history ending at {@code nowMs}, written step by step on a simulated clock. */
  static ClusterTotals history(AnalysisSettings s, long nowMs, int nodes, int racks, int jobs, int services) {
    long fine = s.fineStepMs();
    long firstStep = Math.floorDiv(nowMs - s.coarseRetentionMs(), fine);
    ClusterTotals core = new ClusterTotals(s, "bench", firstStep * fine);
    List<List<Object[]>> perNode = new ArrayList<>();
    for (int n = 0; n < nodes; n++) {
      String node = "n" + n;
      core.putNode(new NodeInfo(node, "r" + (n % racks), n < 3 ? "master" : "worker"));
      List<Object[]> series = new ArrayList<>();
      series.add(new Object[] {"system.cpu.usage", Map.of("node", node), 0.3 + n % 7 * 0.1});
      series.add(new Object[] {"system.cpu.count", Map.of("node", node), 16.0});
      series.add(new Object[] {"system.memory.used.bytes", Map.of("node", node), 3e10 + n * 1e8});
      series.add(new Object[] {"system.memory.total.bytes", Map.of("node", node), 6.4e10});
      for (String disk : List.of("sda", "sdb")) {
        series.add(new Object[] {"system.disk.read.bytes.per.second", Map.of("node", node, "disk", disk), 2e7});
        series.add(new Object[] {"system.disk.written.bytes.per.second", Map.of("node", node, "disk", disk), 1e7});
      }
      series.add(new Object[] {"system.network.received.bytes.per.second", Map.of("node", node, "interface", "eth0"), 5e7});
      series.add(new Object[] {"system.network.sent.bytes.per.second", Map.of("node", node, "interface", "eth0"), 4e7});
      series.add(new Object[] {"taskworker.workers.running", Map.of("node", node, "kind", "task"), 6.0});
      List<String> apps = new ArrayList<>();
      for (int j = 0; j < 2; j++) {
        String job = "j" + (n + j * 7) % jobs;
        apps.add(job);
        series.add(new Object[] {"job.instances", Map.of("node", node, "job", job, "state", "running"), 3.0});
        series.add(new Object[] {"job.instances", Map.of("node", node, "job", job, "state", "pending"), 9.0});
      }
      String service = "s" + n % services;
      apps.add(service);
      series.add(new Object[] {"service.workers", Map.of("node", node, "service", service, "state", "running"), 1.0});
      for (String app : apps) {
        series.add(new Object[] {"process.cpu.cores", Map.of("node", node, "app", app), 1.5});
        series.add(new Object[] {"process.memory.rss.bytes", Map.of("node", node, "app", app), 2e9});
      }
      perNode.add(series);
    }
    long lastStep = Math.floorDiv(nowMs, fine);
    for (long step = firstStep; step < lastStep; step++) {
      long at = step * fine + fine / 2;
      double wave = 1 + 0.2 * Math.sin(step / 360.0);
      for (List<Object[]> series : perNode) {
        for (Object[] x : series) {
          @SuppressWarnings("unchecked")
          Map<String, String> labels = (Map<String, String>) x[1];
          core.write((String) x[0], labels, at, (double) x[2] * wave);
        }
      }
      core.advance((step + 1) * fine + s.graceMs());
    }
    return core;
  }
}
