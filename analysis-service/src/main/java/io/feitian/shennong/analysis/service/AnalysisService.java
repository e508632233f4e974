package io.feitian.shennong.analysis.service;

import com.typesafe.config.Config;
import io.feitian.client.FeitianClient;
import io.feitian.client.shennong.MonitorClient;
import io.feitian.common.grpc.Advertised;
import io.feitian.common.grpc.GrpcServer;
import io.feitian.common.http.DaemonHttpServer;
import io.feitian.common.lifecycle.Daemon;
import io.feitian.common.security.MethodPolicy;
import io.feitian.common.security.Role;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.zk.LeaderElection;
import io.feitian.common.zk.LeaderOffice;
import io.feitian.common.zk.ZkSettings;
import io.feitian.common.zk.ZooKeeperClients;
import io.feitian.proto.fuxi.v1.NodeStatus;
import io.feitian.proto.shennong.v1.AnalysisServiceGrpc;
import io.feitian.proto.shennong.v1.FetchSnapshotRequest;
import io.feitian.proto.shennong.v1.SnapshotChunk;
import io.feitian.shennong.analysis.NodeInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analysis-service daemon: a gRPC server, a ZooKeeper session and a seat in the election at
 * {@value #ZK_BASE}, as monitor-service has. While it leads, an {@link AnalysisTerm} keeps the
 * totals; a standby answers Query and Top with UNAVAILABLE naming the leader and fetches the
 * leader's snapshot every {@code snapshot-interval} into its own data directory, so that it goes
 * on from there when it is elected. A restarted leader goes on from its own last snapshot.
 */
public final class AnalysisService implements Daemon {
  private static final Logger log = LoggerFactory.getLogger(AnalysisService.class);
  /** ZooKeeper path (under the cluster's namespace) of the election; clients find the leader there. */
  public static final String ZK_BASE = "/analysis-service";

  private final Config config;
  private final AnalysisServiceSettings settings;
  private final SecuritySettings security;
  private final ZkSettings zkSettings;
  private final Clock clock;
  private CuratorFramework zk;
  private FeitianClient cluster;
  private MonitorClient shennong;
  private SnapshotFile file;
  private GrpcServer server;
  private DaemonHttpServer http;
  private LeaderElection election;
  private LeaderOffice<AnalysisTerm> office;
  private ScheduledExecutorService standby;
  private String address;

  public AnalysisService(Config config) {
    this(config, Clock.systemUTC());
  }

  public AnalysisService(Config config, Clock clock) {
    this.config = config;
    this.settings = AnalysisServiceSettings.from(config);
    this.security = SecuritySettings.from(config);
    this.zkSettings = ZkSettings.from(config);
    this.clock = clock;
    settings.advertised(settings.port(), zkSettings.connect()); // refuses an address no other node could reach
  }

  /** Reading needs the reader role; the snapshot is the standby's (admin: daemons). */
  public static MethodPolicy methodPolicy() {
    String s = AnalysisServiceGrpc.SERVICE_NAME + "/";
    return MethodPolicy.requiring(Role.ADMIN).with(Role.READER, s + "Query", s + "Top");
  }

  @Override
  public void start() throws Exception {
    file = new SnapshotFile(settings.dataDir());
    zk = ZooKeeperClients.start(zkSettings);
    cluster = FeitianClient.fromConfig(config);
    shennong = new MonitorClient(cluster);
    server = GrpcServer.netty(settings.bind(), settings.port(), security)
        .policy(methodPolicy())
        .initiallyNotServing()
        .service(new AnalysisApi(() -> office.require()))
        .build();
    office = new LeaderOffice<>(server, () -> election == null ? Optional.empty() : election.currentLeader());
    server.start();
    if (settings.httpPort() >= 0) {
      AnalysisWeb web = new AnalysisWeb(() -> office.require(), settings.history(), clock);
      http = new DaemonHttpServer("the analysis page", settings.httpBind(), settings.httpPort(), web::handle,
          AnalysisWeb::isOpen, security).start();
    }
    Advertised advertised = settings.advertised(server.port(), zkSettings.connect());
    address = advertised.address();
    log.info("advertising {} ({})", address, advertised.reason());
    standby = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "analysis-standby");
      t.setDaemon(true);
      return t;
    });
    standby.scheduleWithFixedDelay(this::fetchFromLeader, settings.snapshotIntervalMs(),
        settings.snapshotIntervalMs(), TimeUnit.MILLISECONDS);
    election = new LeaderElection(zk, ZK_BASE, address,
        LeaderElection.Listener.of(this::takeOffice, reason -> leaveOffice()));
    election.start();
  }

  private void takeOffice(long epoch) {
    office.take(address + " with epoch " + epoch, () -> {
      Optional<byte[]> stored;
      try {
        stored = file.read();
      } catch (IOException e) {
        log.error("term {}: cannot read the snapshot {}; the history starts now", epoch, file.path(), e);
        stored = Optional.empty();
      }
      return new AnalysisTerm(epoch, stored, new AnalysisTerm.Parts(settings, config.getString("feitian.cluster-name"),
          clock, shennong, file, this::fuxiNodes));
    });
  }

  private void leaveOffice() {
    if (office != null) {
      office.leave();
    }
  }

  /** The nodes fuxi-master knows, with their racks; they run task-workers, so their role is worker. */
  private Map<String, NodeInfo> fuxiNodes() {
    Map<String, NodeInfo> nodes = new HashMap<>();
    for (NodeStatus n : cluster.statusFromAnyMaster().getNodesList()) {
      nodes.put(n.getNodeId(), new NodeInfo(n.getNodeId(), n.getRack(), "worker"));
    }
    return nodes;
  }

  /** A standby's copy of the leader's history: fetched whole, written only while still standing by. */
  private void fetchFromLeader() {
    if (office.current().isPresent()) {
      return;
    }
    Optional<String> leader = election.currentLeader().filter(l -> !l.equals(address));
    if (leader.isEmpty()) {
      return;
    }
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      Iterator<SnapshotChunk> chunks = cluster.calls()
          .streaming(AnalysisServiceGrpc.newBlockingStub(cluster.channel(leader.get())))
          .withDeadlineAfter(Math.max(10_000, settings.snapshotIntervalMs()), TimeUnit.MILLISECONDS)
          .fetchSnapshot(FetchSnapshotRequest.getDefaultInstance());
      chunks.forEachRemaining(c -> bytes.writeBytes(c.getData().toByteArray()));
      if (file.writeIf(() -> office.current().isEmpty(), bytes.toByteArray())) {
        log.debug("fetched the leader's snapshot ({} bytes) from {}", bytes.size(), leader.get());
      }
    } catch (RuntimeException | IOException e) {
      log.warn("could not fetch the snapshot of {}: {}", leader.get(), e.toString());
    }
  }

  /** This analysis-service's advertised address (valid after start). */
  public String address() {
    return address;
  }

  /** The page's bound port, or -1 when it is off. */
  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  public boolean isLeader() {
    return office != null && office.current().isPresent();
  }

  @Override
  public String describe() {
    return "analysis-service on " + address + " (data " + settings.dataDir().toAbsolutePath() + ", ZooKeeper "
        + zkSettings.connect() + ", cluster " + config.getString("feitian.cluster-name") + ")";
  }

  @Override
  public void close() {
    if (standby != null) {
      standby.shutdownNow();
    }
    if (election != null) {
      election.close();
    }
    leaveOffice();
    if (http != null) {
      http.close();
    }
    if (server != null) {
      server.close();
    }
    if (shennong != null) {
      shennong.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (zk != null) {
      zk.close();
    }
  }
}
