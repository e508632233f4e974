package io.feitian.dayu.agent;

import com.typesafe.config.Config;
import io.feitian.common.grpc.CallSettings;
import io.feitian.common.lifecycle.Daemon;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.zk.LeaderLocator;
import io.feitian.common.zk.ZkSettings;
import io.feitian.common.zk.ZooKeeperClients;
import io.feitian.dayu.server.DayuServer;
import io.feitian.dayu.agent.node.FuxiDrainer;
import io.feitian.dayu.agent.node.NodeLayout;
import io.feitian.dayu.agent.node.ProcessControl;
import io.feitian.dayu.agent.node.RestartBackoff;
import io.feitian.dayu.agent.node.Restarter;
import io.feitian.dayu.agent.node.Supervisor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * dayu-agent, one per node: follows dayu-server ({@link ServerLink}) and brings the node to the
 * state the server's rollouts want, running each module's steps ({@link ModuleSteps}) one piece of
 * work at a time ({@link Worker}). With {@code dayu.agent.server} empty it finds the elected
 * dayu-server through ZooKeeper. See docs/DAYU.md, "dayu-agent".
 */
public final class DayuAgent implements Daemon {
  private static final Logger log = LoggerFactory.getLogger(DayuAgent.class);
  /** How often a drain step asks fuxi-master whether the node is empty. */
  private static final Duration DRAIN_POLL = Duration.ofSeconds(2);
  /** How often the restarter looks for supervised processes that ended. */
  private static final Duration RESTART_LOOK = Duration.ofMillis(500);

  private final AgentSettings settings;
  private final SecuritySettings security;
  private final CallSettings calls;
  /** Present when the server is found through ZooKeeper. */
  private final Optional<ZkSettings> zkSettings;
  /** Where Feitian's daemons keep their clusters in ZooKeeper, for draining a Fuxi node. */
  private final String zkRoot;
  private final RestartBackoff restartBackoff;
  private CuratorFramework zk;
  private LeaderLocator leaders;
  private ServerLink link;
  private Worker worker;
  /** Present where the agent supervises the modules itself (no systemd). */
  private Restarter restarter;

  public DayuAgent(Config config) {
    this.settings = AgentSettings.from(config);
    this.security = SecuritySettings.from(config);
    this.calls = new CallSettings(security.credentials(), config.getDuration("feitian.grpc.call-deadline"));
    this.zkSettings = settings.server().isBlank() ? Optional.of(ZkSettings.from(config)) : Optional.empty();
    this.zkRoot = config.getString("feitian.zookeeper.root");
    Config restart = config.getConfig("dayu.agent.restart");
    this.restartBackoff = new RestartBackoff(restart.getDuration("backoff").toMillis(),
        restart.getDuration("backoff-max").toMillis(), restart.getDuration("reset-after").toMillis());
  }

  @Override
  public void start() {
    Path root = settings.root().toAbsolutePath();
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create dayu.agent.root " + root, e);
    }
    ServerLink[] self = new ServerLink[1];
    NodeLayout layout = new NodeLayout(root);
    ProcessControl processes = ProcessControl.forHost(layout, Path.of("/etc/systemd/system"));
    if (processes instanceof Supervisor supervisor) {
      // Before the server is reached, and whether it is: the node's modules do not wait for it.
      restarter = new Restarter(supervisor, layout, restartBackoff, () -> System.nanoTime() / 1_000_000).start(RESTART_LOOK);
    }
    ModuleSteps steps = new ModuleSteps(root, new ServerPackages(() -> self[0].channel(), calls), processes,
        new FuxiDrainer(zkRoot, security, calls, DRAIN_POLL, Clock.systemUTC()));
    worker = new Worker(steps, r -> self[0].report(r));
    if (zkSettings.isPresent()) {
      zk = ZooKeeperClients.start(zkSettings.get());
      leaders = new LeaderLocator(zk, DayuServer.ZK_BASE);
      link = new ServerLink(settings, leaders::leader, security, calls, steps, worker::offer);
      leaders.onChange(link::leaderChanged);
    } else {
      link = new ServerLink(settings, () -> Optional.of(settings.server()), security, calls, steps, worker::offer);
    }
    self[0] = link;
    link.start();
    log.info("{}", describe());
  }

  @Override
  public String describe() {
    return "dayu-agent for node " + settings.host() + " of cluster " + settings.cluster() + ", server "
        + zkSettings.map(z -> "elected in ZooKeeper " + z.connect()).orElse(settings.server())
        + ", root " + settings.root().toAbsolutePath();
  }

  @Override
  public void close() {
    if (link != null) {
      link.close();
    }
    if (worker != null) {
      worker.close();
    }
    if (restarter != null) {
      try {
        restarter.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (leaders != null) {
      leaders.close();
    }
    if (zk != null) {
      zk.close();
    }
  }
}
