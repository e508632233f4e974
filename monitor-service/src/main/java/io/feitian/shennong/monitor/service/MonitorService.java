package io.feitian.shennong.monitor.service;

import com.typesafe.config.Config;
import io.feitian.client.FeitianClient;
import io.feitian.client.shennong.MonitorClient;
import io.feitian.client.shennong.ShennongWriter;
import io.feitian.common.grpc.Advertised;
import io.feitian.common.grpc.GrpcServer;
import io.feitian.common.lifecycle.Daemon;
import io.feitian.common.security.MethodPolicy;
import io.feitian.common.security.Role;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.zk.Fence;
import io.feitian.common.zk.LeaderElection;
import io.feitian.common.zk.LeaderOffice;
import io.feitian.common.zk.ZkSettings;
import io.feitian.common.zk.ZooKeeperClients;
import io.feitian.proto.shennong.v1.MonitorServiceGrpc;
import io.feitian.proto.shennong.v1.ReloadResponse;
import io.feitian.shennong.monitor.RuleDirectory;
import io.feitian.shennong.monitor.rules.RuleError;
import io.feitian.shennong.monitor.rules.RuleSet;
import io.grpc.Status;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor-service daemon: a gRPC server, a ZooKeeper session and a seat in the election at
 * {@value #ZK_BASE}, as shennong-master has. While it leads, a {@link MonitorTerm} evaluates the
 * rules and notifies; a standby holds nothing but the rules it loaded and answers every call with
 * UNAVAILABLE naming the leader. The state a new leader goes on from is the znode
 * {@value #STATE_PATH}, which only the leader of the current epoch can write.
 */
public final class MonitorService implements Daemon {
  private static final Logger log = LoggerFactory.getLogger(MonitorService.class);
  /** ZooKeeper path (under the cluster's namespace) of the election; clients find the leader there. */
  public static final String ZK_BASE = "/monitor-service";
  /** The state snapshot (JSON, {@link StoredState}). */
  public static final String STATE_PATH = ZK_BASE + "/state";

  private final Config config;
  private final MonitorSettings settings;
  private final SecuritySettings security;
  private final ZkSettings zkSettings;
  private final Clock clock;
  private CuratorFramework zk;
  private FeitianClient cluster;
  private MonitorClient shennong;
  private Optional<ShennongWriter> events = Optional.empty();
  private WebhookSender webhooks;
  private StateStore store;
  private GrpcServer server;
  private LeaderElection election;
  private LeaderOffice<MonitorTerm> office;
  /** The newest rule set that loaded: what a new term runs when the directory has turned invalid since. */
  private volatile RuleSet rules;
  private String address;

  public MonitorService(Config config) {
    this(config, Clock.systemUTC());
  }

  public MonitorService(Config config, Clock clock) {
    this.config = config;
    this.settings = MonitorSettings.from(config);
    this.security = SecuritySettings.from(config);
    this.zkSettings = ZkSettings.from(config);
    this.clock = clock;
    settings.advertised(settings.port(), zkSettings.connect()); // refuses an address no other node could reach
  }

  /** Reading needs the reader role; silences and reloads change what is notified (admin). */
  public static MethodPolicy methodPolicy() {
    String s = MonitorServiceGrpc.SERVICE_NAME + "/";
    return MethodPolicy.requiring(Role.ADMIN).with(Role.READER, s + "ListAlerts", s + "History", s + "ListRules",
        s + "ListSilences");
  }

  @Override
  public void start() throws Exception {
    // A rule directory that does not load is a configuration error: refuse to start.
    rules = RuleDirectory.load(settings.rulesDir());
    log.info("loaded {} rules from {}", rules.rules().size(), settings.rulesDir().toAbsolutePath());
    zk = ZooKeeperClients.start(zkSettings);
    store = new StateStore(zk, STATE_PATH);
    cluster = FeitianClient.fromConfig(config);
    shennong = new MonitorClient(cluster);
    webhooks = new WebhookSender(settings.webhooks());
    server = GrpcServer.netty(settings.bind(), settings.port(), security)
        .policy(methodPolicy())
        .initiallyNotServing()
        .service(new MonitorApi(() -> office.require(), this::reload, clock))
        .build();
    office = new LeaderOffice<>(server, () -> election == null ? Optional.empty() : election.currentLeader());
    server.start();
    Advertised advertised = settings.advertised(server.port(), zkSettings.connect());
    address = advertised.address();
    log.info("advertising {} ({})", address, advertised.reason());
    events = ShennongWriter.forDaemon(config, "monitor-service", Map.of("monitor", address));
    election = new LeaderElection(zk, ZK_BASE, address,
        LeaderElection.Listener.of(this::takeOffice, reason -> leaveOffice()));
    election.start();
  }

  private void takeOffice(long epoch) {
    office.take(address + " with epoch " + epoch, () -> {
      Fence fence;
      Optional<StoredState> stored;
      try {
        fence = election.fence();
        stored = store.read();
      } catch (Exception e) {
        // Without the stored state this leader would notify again what was notified: lead no term.
        log.error("term {}: cannot read the stored state; not leading until the next election", epoch, e);
        return null;
      }
      try {
        rules = RuleDirectory.load(settings.rulesDir());
      } catch (RuleError e) {
        log.error("term {}: the rule directory does not load ({}); running the {} rules loaded before", epoch,
            e.getMessage(), rules.rules().size());
      }
      return new MonitorTerm(epoch, fence, rules, stored, new MonitorTerm.Parts(settings, clock, shennong, store,
          new Deliveries(webhooks, events)));
    });
  }

  private void leaveOffice() {
    if (office != null) {
      office.leave();
    }
  }

  /** Loads the rule directory; an invalid file leaves the running rules in place. */
  private CompletableFuture<ReloadResponse> reload() {
    MonitorTerm t = office.require();
    RuleSet loaded;
    try {
      loaded = RuleDirectory.load(settings.rulesDir());
    } catch (RuleError e) {
      log.error("reload refused, the running rules are kept: {}", e.getMessage());
      throw Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException();
    }
    rules = loaded;
    return t.reload(loaded).thenApply(r -> ReloadResponse.newBuilder().setRules(r.rules().size())
        .setInhibitions(r.inhibitions().size()).build());
  }

  /** This monitor-service's advertised address (valid after start). */
  public String address() {
    return address;
  }

  public boolean isLeader() {
    return office != null && office.current().isPresent();
  }

  @Override
  public String describe() {
    return "monitor-service on " + address + " (rules " + settings.rulesDir().toAbsolutePath() + ", ZooKeeper "
        + zkSettings.connect() + ", cluster " + config.getString("feitian.cluster-name") + ")";
  }

  @Override
  public void close() {
    if (election != null) {
      election.close();
    }
    leaveOffice();
    if (server != null) {
      server.close();
    }
    if (webhooks != null) {
      webhooks.close();
    }
    events.ifPresent(ShennongWriter::close);
    if (store != null) {
      store.close();
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
