package io.feitian.shennong.monitor.service;

import com.typesafe.config.Config;
import io.feitian.client.FeitianClient;
import io.feitian.client.shennong.MonitorClient;
import io.feitian.client.shennong.ShennongWriter;
import io.feitian.common.lifecycle.Daemon;
import io.feitian.common.security.MethodPolicy;
import io.feitian.common.security.Role;
import io.feitian.common.zk.ElectedShell;
import io.feitian.common.zk.Fence;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor-service daemon: an {@link ElectedShell} (a gRPC server, a ZooKeeper session and a
 * seat in the election at {@value #ZK_BASE}) around its term. While it leads, a {@link
 * MonitorTerm} evaluates the rules and notifies; a standby holds nothing but the rules it loaded
 * and answers every call with UNAVAILABLE naming the leader. The state a new leader goes on from is the znode
 * {@value #STATE_PATH}, which only the leader of the current epoch can write.
 */
public final class MonitorService implements Daemon {
  private static final Logger log = LoggerFactory.getLogger(MonitorService.class);
  /** ZooKeeper path (under the cluster's namespace) of the election; clients find the leader there. */
  public static final String ZK_BASE = "/monitor-service";
  /** The state's pointer (small JSON naming the snapshot's chunks; {@link StateStore}). */
  public static final String STATE_PATH = ZK_BASE + "/state";

  private final Config config;
  private final MonitorSettings settings;
  private final Clock clock;
  private final ElectedShell<MonitorTerm> shell;
  private MonitorClient shennong;
  private Optional<ShennongWriter> events = Optional.empty();
  private WebhookSender webhooks;
  private StateStore store;
  /** The newest rule set that loaded: what a new term runs when the directory has turned invalid since. */
  private volatile RuleSet rules;

  public MonitorService(Config config) {
    this(config, Clock.systemUTC());
  }

  public MonitorService(Config config, Clock clock) {
    this.config = config;
    this.settings = MonitorSettings.from(config);
    this.clock = clock;
    this.shell = new ElectedShell<>(config, ZK_BASE, settings);
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
    store = shell.own(new StateStore(shell.connect(), ZK_BASE, settings.historyKept()));
    FeitianClient cluster = shell.own(FeitianClient.fromConfig(config));
    shennong = shell.own(new MonitorClient(cluster));
    webhooks = shell.own(new WebhookSender(settings.webhooks()));
    String address = shell.serve(methodPolicy(), new MonitorApi(shell::require, this::reload, clock));
    events = ShennongWriter.forDaemon(config, "monitor-service", Map.of("monitor", address));
    events.ifPresent(shell::own);
    shell.elect(this::beginTerm);
  }

  /** A term goes on from the stored state, with the rules as they load now (or as they last loaded). */
  private MonitorTerm beginTerm(long epoch) {
    Fence fence;
    Optional<StoredState> stored;
    try {
      fence = shell.election().fence();
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
  }

  /** Loads the rule directory; an invalid file leaves the running rules in place. */
  private CompletableFuture<ReloadResponse> reload() {
    MonitorTerm t = shell.require();
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
    return shell.address();
  }

  public boolean isLeader() {
    return shell.isLeader();
  }

  @Override
  public String describe() {
    return shell.describe("monitor-service", "rules " + settings.rulesDir().toAbsolutePath());
  }

  @Override
  public void close() {
    shell.close();
  }
}
