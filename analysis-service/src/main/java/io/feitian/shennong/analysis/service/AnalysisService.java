package io.feitian.shennong.analysis.service;

import com.typesafe.config.Config;
import io.feitian.client.FeitianClient;
import io.feitian.client.shennong.MonitorClient;
import io.feitian.common.http.DaemonHttpServer;
import io.feitian.common.lifecycle.Daemon;
import io.feitian.common.security.MethodPolicy;
import io.feitian.common.security.Role;
import io.feitian.common.zk.ElectedShell;
import io.feitian.proto.fuxi.v1.NodeStatus;
import io.feitian.proto.shennong.v1.AnalysisServiceGrpc;
import io.feitian.shennong.analysis.NodeInfo;
import java.io.IOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analysis-service daemon: an {@link ElectedShell} (a gRPC server, a ZooKeeper session and a
 * seat in the election at {@value #ZK_BASE}) around its term. While it leads, an {@link
 * AnalysisTerm} keeps the totals; a standby answers Query and Top with UNAVAILABLE naming the
 * leader and fetches the leader's newest snapshot every {@code snapshot-interval} into its own
 * data directory (not when its copy is still the newest: {@link SnapshotFetcher}), so that it
 * goes on from there when it is elected. A restarted leader goes on from its own last snapshot.
 */
public final class AnalysisService implements Daemon {
  private static final Logger log = LoggerFactory.getLogger(AnalysisService.class);
  /** ZooKeeper path (under the cluster's namespace) of the election; clients find the leader there. */
  public static final String ZK_BASE = "/analysis-service";

  private final Config config;
  private final AnalysisServiceSettings settings;
  private final Clock clock;
  private final ElectedShell<AnalysisTerm> shell;
  private FeitianClient cluster;
  private MonitorClient shennong;
  private SnapshotFile file;
  private SnapshotFetcher fetcher;
  private DaemonHttpServer http;

  public AnalysisService(Config config) {
    this(config, Clock.systemUTC());
  }

  public AnalysisService(Config config, Clock clock) {
    this.config = config;
    this.settings = AnalysisServiceSettings.from(config);
    this.clock = clock;
    this.shell = new ElectedShell<>(config, ZK_BASE, settings);
  }

  /** Reading needs the reader role; the snapshot is the standby's (admin: daemons). */
  public static MethodPolicy methodPolicy() {
    String s = AnalysisServiceGrpc.SERVICE_NAME + "/";
    return MethodPolicy.requiring(Role.ADMIN).with(Role.READER, s + "Query", s + "Top");
  }

  @Override
  public void start() throws Exception {
    file = new SnapshotFile(settings.dataDir());
    fetcher = new SnapshotFetcher(file);
    shell.connect();
    cluster = shell.own(FeitianClient.fromConfig(config));
    shennong = shell.own(new MonitorClient(cluster));
    shell.serve(methodPolicy(), new AnalysisApi(shell::require));
    if (settings.httpPort() >= 0) {
      AnalysisWeb web = new AnalysisWeb(shell::require, settings.history(), clock);
      http = shell.own(new DaemonHttpServer("the analysis page", settings.httpBind(), settings.httpPort(),
          web::handle, AnalysisWeb::isOpen, shell.security()).start());
    }
    ScheduledExecutorService standby = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "analysis-standby");
      t.setDaemon(true);
      return t;
    });
    shell.own(standby::shutdownNow);
    standby.scheduleWithFixedDelay(this::fetchFromLeader, settings.snapshotIntervalMs(),
        settings.snapshotIntervalMs(), TimeUnit.MILLISECONDS);
    shell.elect(this::beginTerm);
  }

  /** A term goes on from the snapshot on disk: its own last one, or the copy fetched while standing by. */
  private AnalysisTerm beginTerm(long epoch) {
    Optional<byte[]> stored;
    try {
      stored = file.read();
    } catch (IOException e) {
      log.error("term {}: cannot read the snapshot {}; the history starts now", epoch, file.path(), e);
      stored = Optional.empty();
    }
    return new AnalysisTerm(epoch, stored, new AnalysisTerm.Parts(settings, config.getString("feitian.cluster-name"),
        clock, shennong, file, this::fuxiNodes));
  }

  /** The nodes fuxi-master knows, with their racks; they run task-workers, so their role is worker. */
  private Map<String, NodeInfo> fuxiNodes() {
    Map<String, NodeInfo> nodes = new HashMap<>();
    for (NodeStatus n : cluster.statusFromAnyMaster().getNodesList()) {
      nodes.put(n.getNodeId(), new NodeInfo(n.getNodeId(), n.getRack(), "worker"));
    }
    return nodes;
  }

  /** A standby's copy of the leader's history, fetched unless it is still the leader's newest. */
  private void fetchFromLeader() {
    if (shell.isLeader()) {
      return;
    }
    Optional<String> leader = shell.leader().filter(l -> !l.equals(shell.address()));
    if (leader.isEmpty()) {
      return;
    }
    try {
      SnapshotFetcher.Outcome outcome = fetcher.fetch(cluster.calls()
          .streaming(AnalysisServiceGrpc.newBlockingStub(cluster.channel(leader.get())))
          .withDeadlineAfter(Math.max(10_000, settings.snapshotIntervalMs()), TimeUnit.MILLISECONDS),
          () -> !shell.isLeader());
      log.debug("the snapshot of {}: {} (version {})", leader.get(), outcome, fetcher.have());
    } catch (RuntimeException | IOException e) {
      log.warn("could not fetch the snapshot of {}: {}", leader.get(), e.toString());
    }
  }

  /** This analysis-service's advertised address (valid after start). */
  public String address() {
    return shell.address();
  }

  /** The page's bound port, or -1 when it is off. */
  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  public boolean isLeader() {
    return shell.isLeader();
  }

  @Override
  public String describe() {
    return shell.describe("analysis-service", "data " + settings.dataDir().toAbsolutePath());
  }

  @Override
  public void close() {
    shell.close();
  }
}
