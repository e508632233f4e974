package io.feitian.bench.e2e;

import io.feitian.client.AppMasterSession;
import io.feitian.client.ClusterTarget;
import io.feitian.client.FeitianClient;
import io.feitian.client.local.LocalCluster;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.AppSpec;
import io.feitian.proto.fuxi.v1.ClusterServiceGrpc;
import io.feitian.proto.fuxi.v1.ClusterStatus;
import io.feitian.proto.fuxi.v1.GetClusterStatusRequest;
import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import io.feitian.proto.fuxi.v1.LocalityLevel;
import io.feitian.proto.fuxi.v1.ProcessProgram;
import io.feitian.proto.fuxi.v1.RevokeReason;
import io.feitian.proto.fuxi.v1.SubmitAppRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Leader failover on the local cluster, as {@code ./feitian local up} runs it
 * (real fuxi-masters and task-workers, ZooKeeper sessions of 2 s), seen from
 * outside: the leader gets {@code kill -9}, and the benchmark measures from
 * the kill until a surviving master answers {@code GetClusterStatus} as the
 * leader of a newer epoch, and until an application master (this process,
 * through the client library, asking for one unit at a time and giving it
 * back) receives its first grant of the new term. The killed master is
 * started again as a standby before the next run.
 *
 * <pre>
 * java -cp 'bench/target/bench.jar:bench/target/lib/*' io.feitian.bench.e2e.LocalFailoverBenchmark \
 *     --runs 10 --masters 3 --workers 3 [--dir DIR] [--port-base 17100]
 * </pre>
 */
public final class LocalFailoverBenchmark {
  private final int runs;
  private final LocalCluster cluster;
  private final LocalCluster.Layout layout;
  private final AtomicLong firstGrantNanos = new AtomicLong();
  private volatile long oldEpoch = Long.MAX_VALUE;

  private LocalFailoverBenchmark(int runs, LocalCluster.Layout layout) {
    this.runs = runs;
    this.layout = layout;
    this.cluster = new LocalCluster(layout, System.out);
  }

  public static void main(String[] args) throws Exception {
    int runs = 10;
    int masters = 3;
    int workers = 3;
    int portBase = 17100;
    Path dir = null;
    for (int i = 0; i < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(v);
        case "--masters" -> masters = Integer.parseInt(v);
        case "--workers" -> workers = Integer.parseInt(v);
        case "--port-base" -> portBase = Integer.parseInt(v);
        case "--dir" -> dir = Path.of(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (--runs, --masters, --workers, --port-base, --dir)");
      }
    }
    if (masters < 2) {
      throw new IllegalArgumentException("--masters must be at least 2: a failover needs a standby");
    }
    if (dir == null) {
      dir = Files.createTempDirectory("feitian-failover-bench");
    }
    var layout = new LocalCluster.Layout(dir, portBase, portBase + 1, portBase + 100, masters, workers, 4000, 4096);
    new LocalFailoverBenchmark(runs, layout).run();
  }

  private void run() throws Exception {
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::stop));
    cluster.up();
    List<double[]> results = new ArrayList<>();
    try (FeitianClient client = new FeitianClient(
        new ClusterTarget.ZooKeeper(layout.zkConnect(), LocalCluster.CLUSTER_NAME, "feitian"),
        FeitianClient.Options.defaults().withRetryWindow(Duration.ofSeconds(30)))) {
      AppMasterSession session = churningMaster(client);
      for (int r = 1; r <= runs; r++) {
        results.add(oneFailover(r, client));
      }
      session.close();
    } finally {
      cluster.stop();
    }
    System.out.printf(Locale.ROOT, "%n# failover on the local cluster: %d masters, %d task-workers, %d runs%n",
        layout.masters(), layout.workers(), runs);
    System.out.println("| run | a standby answers as leader (s) | first grant of the new term (s) |");
    System.out.println("| --- | --- | --- |");
    for (int i = 0; i < results.size(); i++) {
      System.out.printf(Locale.ROOT, "| %d | %.2f | %.2f |%n", i + 1, results.get(i)[0], results.get(i)[1]);
    }
    System.out.printf(Locale.ROOT, "medians: answers %.2f s, first grant %.2f s%n", median(results, 0),
        median(results, 1));
  }

  /**
   * An application whose master is this process: its launched master only
   * sleeps, while the session here asks for one unit, gives each grant back
   * at once and asks again, so a grant follows as soon as a leader can issue one.
   */
  private AppMasterSession churningMaster(FeitianClient client) {
    AppSpec spec = AppSpec.newBuilder().setName("failover-bench").setPriority(100)
        .setMaster(LaunchSpec.newBuilder().setName("app-master")
            .setProcess(ProcessProgram.newBuilder().addArgv("sleep").addArgv("100000")))
        .setMasterResources(Resources.newBuilder().setCpuMillis(100).setMemoryMib(64))
        .build();
    String appId = client.cluster(s -> s.submitApp(SubmitAppRequest.newBuilder().setSpec(spec).build())).getAppId();
    Resources unit = Resources.newBuilder().setCpuMillis(100).setMemoryMib(64).build();
    AppMasterSession[] session = new AppMasterSession[1];
    session[0] = new AppMasterSession(client, appId, new AppMasterSession.Listener() {
      @Override
      public void granted(List<Grant> grants) {
        long now = System.nanoTime();
        List<Long> ids = new ArrayList<>();
        for (Grant g : grants) {
          ids.add(g.getGrantId());
          if ((g.getGrantId() >>> 40) > oldEpoch) {
            firstGrantNanos.compareAndSet(0, now);
          }
        }
        session[0].returnGrants(ids);
        session[0].request("churn", unit, 100, LocalityLevel.LOCALITY_LEVEL_CLUSTER, "", ids.size(), false);
      }

      @Override
      public void revoked(List<Long> grantIds, RevokeReason reason, String detail) {
        session[0].request("churn", unit, 100, LocalityLevel.LOCALITY_LEVEL_CLUSTER, "", grantIds.size(), false);
      }
    });
    session[0].start();
    session[0].request("churn", unit, 100, LocalityLevel.LOCALITY_LEVEL_CLUSTER, "", 1, false);
    return session[0];
  }

  private double[] oneFailover(int run, FeitianClient client) throws Exception {
    ClusterStatus before = client.cluster(s -> s.getClusterStatus(GetClusterStatusRequest.getDefaultInstance()));
    LocalCluster.Member leader = cluster.members().stream()
        .filter(m -> m.address().equals(before.getLeaderAddress())).findFirst()
        .orElseThrow(() -> new IllegalStateException("leader " + before.getLeaderAddress() + " is not a member"));
    List<String> standbys = cluster.members().stream()
        .filter(m -> m.name().startsWith("fuxi-master-") && !m.equals(leader)).map(LocalCluster.Member::address).toList();
    List<ManagedChannel> channels = standbys.stream()
        .map(a -> (ManagedChannel) NettyChannelBuilder.forTarget(a).usePlaintext().build()).toList();
    try {
      firstGrantNanos.set(0);
      oldEpoch = before.getEpoch();
      long t0 = System.nanoTime();
      new ProcessBuilder("kill", "-9", Long.toString(leader.pid())).start().waitFor();
      double answers = -1;
      double grant = -1;
      long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
      while ((answers < 0 || grant < 0) && System.nanoTime() < deadline) {
        if (answers < 0 && anAnswerAsNewLeader(channels, before.getEpoch())) {
          answers = (System.nanoTime() - t0) / 1e9;
        }
        long g = firstGrantNanos.get();
        if (grant < 0 && g != 0) {
          grant = (g - t0) / 1e9;
        }
        Thread.sleep(10);
      }
      System.out.printf(Locale.ROOT, "run %d: killed %s (epoch %d): a standby answers as leader after %.2f s,"
          + " first grant of the new term after %.2f s%n", run, leader.name(), before.getEpoch(), answers, grant);
      cluster.restartMaster(Integer.parseInt(leader.name().substring("fuxi-master-".length())));
      awaitMasters(client);
      return new double[] {answers, grant};
    } finally {
      channels.forEach(ManagedChannel::shutdownNow);
    }
  }

  private static boolean anAnswerAsNewLeader(List<ManagedChannel> standbys, long oldEpoch) {
    for (ManagedChannel c : standbys) {
      try {
        ClusterStatus s = ClusterServiceGrpc.newBlockingStub(c).withDeadlineAfter(200, TimeUnit.MILLISECONDS)
            .getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
        if (s.getEpoch() > oldEpoch && s.getAnsweredBy().equals(s.getLeaderAddress())) {
          return true;
        }
      } catch (RuntimeException e) {
        // not up, or not answering yet
      }
    }
    return false;
  }

  /** Waits until every master is back in the election, so the next run has its standbys. */
  private void awaitMasters(FeitianClient client) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try {
        ClusterStatus s = client.cluster(c -> c.getClusterStatus(GetClusterStatusRequest.getDefaultInstance()));
        if (s.getMastersCount() == layout.masters() && !s.getRecovering()) {
          return;
        }
      } catch (RuntimeException e) {
        // a failover is still settling
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the restarted master did not join the election within 60 s");
  }

  private static double median(List<double[]> rows, int column) {
    double[] v = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
    return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
