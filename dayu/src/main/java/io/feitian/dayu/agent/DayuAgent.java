package io.feitian.dayu.agent;

import com.typesafe.config.Config;
import io.feitian.common.grpc.CallSettings;
import io.feitian.common.grpc.GrpcServer;
import io.feitian.common.security.MethodPolicy;
import io.feitian.common.security.Role;
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
import io.feitian.dayu.p2p.UploadSlots;
import io.feitian.dayu.peer.PeerFetcher;
import io.feitian.dayu.peer.PeerSettings;
import io.feitian.dayu.peer.PieceServer;
import io.feitian.dayu.peer.PieceStore;
import io.feitian.dayu.peer.TransferCounters;
import io.feitian.proto.dayu.v1.PieceServiceGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
  private final PeerSettings peerSettings;
  private final TransferCounters counters = new TransferCounters();
  private GrpcServer pieceServer;
  private PeerFetcher fetcher;
  private ScheduledExecutorService announcer;
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
    this.peerSettings = PeerSettings.from(config);
  }

  /** Fetching pieces of a package needs the reader role, as fetching it from dayu-server does. */
  public static MethodPolicy peerPolicy() {
    return MethodPolicy.requiring(Role.ADMIN).with(Role.READER, PieceServiceGrpc.SERVICE_NAME + "/FetchPiece",
        PieceServiceGrpc.SERVICE_NAME + "/GetTransferStats");
  }

  /**
   * Serves this node's pieces to other agents (with the same TLS and tokens as every Feitian
   * server); the settings with the address it is reached at, or none when it serves nothing.
   */
  private PeerSettings startPieceServer(Path root) {
    if (peerSettings.port() < 0) {
      return peerSettings.withAdvertise("");
    }
    pieceServer = GrpcServer.netty(peerSettings.bind(), peerSettings.port(), security)
        .policy(peerPolicy())
        .service(new PieceServer(PieceStore.source(root.resolve("packages")),
            new UploadSlots(peerSettings.uploadSlots()), Optional.of(counters)))
        .build()
        .start();
    String advertise = peerSettings.advertise().isBlank() ? peerSettings.bind() + ":" + pieceServer.port()
        : peerSettings.advertise();
    if (advertise.startsWith("0.0.0.0:") || advertise.startsWith("[::]:")) {
      throw new IllegalArgumentException("dayu.agent.peer.advertise must name this node's address when "
          + "dayu.agent.peer.bind is a wildcard, got " + advertise);
    }
    return peerSettings.withAdvertise(advertise);
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
    PeerSettings peers = startPieceServer(root);
    fetcher = new PeerFetcher(() -> self[0].channel(), security, calls, layout, peers, counters,
        (module, version, piece, from) -> { });
    long announceMillis = peers.announceInterval().toMillis();
    announcer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "dayu-agent-announce");
      t.setDaemon(true);
      return t;
    });
    announcer.scheduleWithFixedDelay(fetcher::announceAll, announceMillis, announceMillis, TimeUnit.MILLISECONDS);
    Optional<SelfUpgrade> selfUpgrade = SelfUpgrade.fromEnvironment(System.getenv(), root);
    ProcessControl stepProcesses = selfUpgrade
        .<ProcessControl>map(u -> new SelfAwareProcesses(processes, u.version())).orElse(processes);
    ModuleSteps steps = new ModuleSteps(root, fetcher, stepProcesses,
        new FuxiDrainer(zkRoot, security, calls, DRAIN_POLL, Clock.systemUTC()), selfUpgrade);
    // Registered, watching, and everything above started: the agent's checks passed.
    Runnable following = () -> selfUpgrade.ifPresent(SelfUpgrade::confirm);
    worker = new Worker(steps, r -> self[0].report(r));
    if (zkSettings.isPresent()) {
      zk = ZooKeeperClients.start(zkSettings.get());
      leaders = new LeaderLocator(zk, DayuServer.ZK_BASE);
      link = new ServerLink(settings, leaders::leader, security, calls, steps, worker::offer, following);
      leaders.onChange(link::leaderChanged);
    } else {
      link = new ServerLink(settings, () -> Optional.of(settings.server()), security, calls, steps, worker::offer,
          following);
    }
    self[0] = link;
    link.start();
    log.info("{}", describe());
  }

  @Override
  public String describe() {
    return "dayu-agent for node " + settings.host() + " of cluster " + settings.cluster() + ", server "
        + zkSettings.map(z -> "elected in ZooKeeper " + z.connect()).orElse(settings.server())
        + ", root " + settings.root().toAbsolutePath()
        + (pieceServer == null ? ", serving no pieces" : ", serving pieces on port " + pieceServer.port());
  }

  /** Bytes received from peers and from dayu-server, and served (also GetTransferStats on the piece server). */
  public TransferCounters counters() {
    return counters;
  }

  /** The piece server's port, -1 when it serves none. */
  public int peerPort() {
    return pieceServer == null ? -1 : pieceServer.port();
  }

  @Override
  public void close() {
    if (announcer != null) {
      announcer.shutdownNow();
    }
    if (fetcher != null) {
      fetcher.close(); // tells the tracker, while the link to the server is still open
    }
    if (link != null) {
      link.close();
    }
    if (worker != null) {
      worker.close();
    }
    if (pieceServer != null) {
      pieceServer.close();
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
