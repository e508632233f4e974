package io.feitian.fuxi.master;

import com.typesafe.config.Config;
import io.feitian.common.grpc.Advertised;
import io.feitian.common.grpc.CallSettings;
import io.feitian.common.grpc.GrpcServer;
import io.feitian.common.grpc.LeaderHint;
import io.feitian.common.lifecycle.Daemon;
import io.feitian.common.config.ChildEnvironment;
import io.feitian.common.security.MethodPolicy;
import io.feitian.common.security.Role;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.zk.LeaderElection;
import io.feitian.common.zk.ZkSettings;
import io.feitian.common.zk.ZooKeeperClients;
import io.feitian.client.shennong.PeriodicReporter;
import io.feitian.fuxi.master.report.ClusterReporter;
import io.feitian.fuxi.master.rpc.ClusterServiceImpl;
import io.feitian.fuxi.master.rpc.CurrentTerm;
import io.feitian.fuxi.master.rpc.NodeServiceImpl;
import io.feitian.fuxi.master.rpc.ResourceServiceImpl;
import io.feitian.fuxi.master.state.HardState;
import io.feitian.fuxi.master.term.ChildMasterEnvironment;
import io.feitian.fuxi.master.term.LeaderTerm;
import io.feitian.fuxi.master.term.AppKinds;
import io.feitian.fuxi.master.term.TaskWorkerClients;
import io.feitian.proto.fuxi.v1.ClusterServiceGrpc;
import io.feitian.proto.fuxi.v1.NodeServiceGrpc;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.Participant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fuxi-master daemon: a gRPC server, a ZooKeeper session, and a seat in
 * the leader election. While it leads, a {@link LeaderTerm} holds the
 * cluster's soft state; while it stands by, every leader-only call is
 * refused with UNAVAILABLE naming the leader.
 */
public final class FuxiMaster implements Daemon {
  private static final Logger log = LoggerFactory.getLogger(FuxiMaster.class);
  /** ZooKeeper path (under the cluster's namespace) of everything Fuxi keeps there. */
  public static final String ZK_BASE = "/fuxi";

  private final Config config;
  private final MasterSettings settings;
  private final SecuritySettings security;
  private final ZkSettings zkSettings;
  private final Clock clock;
  private CuratorFramework zk;
  private GrpcServer server;
  private LeaderElection election;
  private TaskWorkerClients taskWorkers;
  /** Application kinds (jobs, services) found on the classpath, read once at start. */
  private final AppKinds kinds = AppKinds.discover();
  private volatile LeaderTerm term;
  private Optional<PeriodicReporter> reporter = Optional.empty();
  private String address;

  public FuxiMaster(Config config) {
    this(config, Clock.systemUTC());
  }

  public FuxiMaster(Config config, Clock clock) {
    this.config = config;
    this.settings = MasterSettings.from(config);
    this.security = SecuritySettings.from(config);
    this.zkSettings = ZkSettings.from(config);
    this.clock = clock;
    settings.advertised(settings.port(), zkSettings.connect()); // refuses an address no other node could reach
  }

  /**
   * Nodes (NodeService) and application masters (ResourceService) are daemons
   * or started by them: admin. Reading the cluster needs a reader; submitting
   * and killing applications a user (who may kill only its own); quotas,
   * blacklists, drains and grant revocations an admin.
   */
  public static MethodPolicy methodPolicy() {
    String cluster = ClusterServiceGrpc.SERVICE_NAME + "/";
    return MethodPolicy.requiring(Role.ADMIN)
        .with(Role.READER, cluster + "GetClusterStatus", cluster + "GetApp", cluster + "ListApps",
            cluster + "ListQuotas", cluster + "ListBlacklist")
        .with(Role.USER, cluster + "SubmitApp", cluster + "KillApp");
  }

  @Override
  public void start() throws Exception {
    zk = ZooKeeperClients.start(zkSettings);
    taskWorkers = new TaskWorkerClients(security,
        new CallSettings(security.credentials(), config.getDuration("feitian.grpc.call-deadline")));
    // The election needs our address, and our address needs the bound port: start the server first.
    LeaderElection[] electionRef = new LeaderElection[1];
    CurrentTerm current = new CurrentTerm(() -> term,
        () -> electionRef[0] == null ? LeaderHint.notLeader(Optional.empty()) : electionRef[0].refusal());
    server = GrpcServer.netty(settings.bind(), settings.port(), security)
        .policy(methodPolicy())
        .initiallyNotServing() // the health of its services says whether this master leads
        .service(new NodeServiceImpl(current))
        .service(new ResourceServiceImpl(current))
        .service(new ClusterServiceImpl(current, new ClusterServiceImpl.Peers() {
          @Override
          public String self() {
            return address;
          }

          @Override
          public Optional<String> leader() {
            return electionRef[0].currentLeader();
          }

          @Override
          public List<String> masters() {
            return electionRef[0].participants().stream().map(Participant::getId).toList();
          }

          @Override
          public long leaderEpoch() {
            return electionRef[0].latestEpoch();
          }
        }))
        .build()
        .start();
    Advertised advertised = settings.advertised(server.port(), zkSettings.connect());
    address = advertised.address();
    log.info("advertising {} ({})", address, advertised.reason());
    election = new LeaderElection(zk, ZK_BASE, address,
        LeaderElection.Listener.of(this::takeOffice, reason -> leaveOffice()));
    electionRef[0] = election;
    election.start();
    reporter = PeriodicReporter.forDaemon(config, "fuxi-master", Map.of("master", address),
        new ClusterReporter(() -> term, address));
  }

  private void takeOffice(long epoch) {
    leaveOffice();
    HardState hard = new HardState(zk, election::fence);
    LeaderTerm t = new LeaderTerm(epoch, settings, hard, clock, taskWorkers, childEnvironment(), kinds);
    try {
      t.start(hard.loadQuotas(), hard.loadBlacklist(), hard.loadDrains(), hard.loadApps());
    } catch (Exception e) {
      log.error("could not start term {}; standing by", epoch, e);
      t.close();
      return;
    }
    if (election.epoch() != epoch) {
      t.close(); // deposed while loading
      return;
    }
    term = t;
    server.setServing(true);
    log.info("leading as {} with epoch {}", address, epoch);
  }

  private void leaveOffice() {
    LeaderTerm t = term;
    term = null;
    if (t != null) {
      server.setServing(false);
      log.info("leaving term {}", t.epoch());
      t.close();
    }
  }

  /** Where child masters find the cluster; their node's task-worker adds its security settings. */
  private ChildMasterEnvironment childEnvironment() {
    return new ChildMasterEnvironment(ChildEnvironment.of(config));
  }

  /** This master's advertised address (valid after start). */
  public String address() {
    return address;
  }

  public boolean isLeader() {
    return term != null;
  }

  public long epoch() {
    LeaderTerm t = term;
    return t == null ? 0 : t.epoch();
  }

  @Override
  public String describe() {
    return "fuxi-master on " + address + " (ZooKeeper " + zkSettings.connect() + ", cluster "
        + config.getString("feitian.cluster-name") + ")";
  }

  @Override
  public void close() {
    reporter.ifPresent(PeriodicReporter::close);
    if (election != null) {
      election.close();
    }
    leaveOffice();
    if (server != null) {
      server.close();
    }
    if (taskWorkers != null) {
      taskWorkers.close();
    }
    if (zk != null) {
      zk.close();
    }
  }
}
