package io.feitian.dayu.server;

import com.typesafe.config.Config;
import io.feitian.common.grpc.Advertised;
import io.feitian.common.grpc.GrpcServer;
import io.feitian.common.grpc.LeaderHint;
import io.feitian.common.http.DaemonHttpServer;
import io.feitian.common.lifecycle.Daemon;
import io.feitian.common.security.MethodPolicy;
import io.feitian.common.security.Role;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.zk.LeaderElection;
import io.feitian.common.zk.LeaderOffice;
import io.feitian.common.zk.ZkSettings;
import io.feitian.common.zk.ZooKeeperClients;
import io.feitian.dayu.control.RolloutControl;
import io.feitian.dayu.control.RolloutSettings;
import io.feitian.dayu.db.ConfigDatabase;
import io.feitian.dayu.db.DatabaseSettings;
import io.feitian.dayu.p2p.PieceManifest;
import io.feitian.dayu.p2p.SeedSpread;
import io.feitian.dayu.p2p.Tracker;
import io.feitian.dayu.p2p.UploadSlots;
import io.feitian.dayu.peer.PieceServer;
import io.feitian.dayu.packages.PackageStore;
import io.feitian.proto.dayu.v1.DayuServiceGrpc;
import io.feitian.proto.dayu.v1.PieceServiceGrpc;
import io.feitian.proto.dayu.v1.TrackerServiceGrpc;
import io.feitian.proto.dayu.v1.RolloutServiceGrpc;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dayu-server daemon: the operator API ({@link DayuService}) over the configuration database
 * (which keeps the release packages; uploads are received in {@code <data-dir>/packages}), rollouts ({@link RolloutControl},
 * driven by a ticker and the agents' reports) and the agents' API.
 *
 * <p>By default it runs alone. With {@code dayu.server.election} on, several servers share one
 * PostgreSQL database and a {@link LeaderElection} in ZooKeeper picks the one that serves: it
 * holds a {@link RolloutTerm} (rollouts resumed from the database) while it leads; a standby
 * answers every call with UNAVAILABLE naming the leader ({@link LeaderHint}). The rollouts' state
 * lives in the database and every write is a compare-and-set on the rollout's revision, so a
 * deposed leader that has not noticed yet cannot overwrite its successor's progress.
 */
public final class DayuServer implements Daemon {
  private static final Logger log = LoggerFactory.getLogger(DayuServer.class);
  /** ZooKeeper path (under the cluster's namespace) of the election; agents find the leader there. */
  public static final String ZK_BASE = "/dayu";

  private final ServerSettings settings;
  private final DatabaseSettings databaseSettings;
  private final SecuritySettings security;
  private final Path packagesDir;
  private final RolloutSettings rolloutSettings;
  private final Config p2p;
  /** Present when elected through ZooKeeper. */
  private final Optional<ZkSettings> zkSettings;
  private ConfigDatabase database;
  private GrpcServer server;
  /** The web UI, when dayu.server.http.port is not -1. */
  private DaemonHttpServer http;
  private LeaderOffice<RolloutTerm> office;
  private CuratorFramework zk;
  private volatile LeaderElection election;
  private String address;

  public DayuServer(Config config) {
    this.settings = ServerSettings.from(config);
    this.databaseSettings = DatabaseSettings.from(config);
    this.security = SecuritySettings.from(config);
    this.packagesDir = Path.of(config.getString("dayu.data-dir")).resolve("packages");
    this.rolloutSettings = RolloutSettings.from(config);
    this.p2p = config.getConfig("dayu.server.p2p");
    PieceManifest.checkPieceBytes(p2p.getBytes("piece-size"));
    if (settings.election()) {
      if (databaseSettings.url().startsWith("jdbc:h2:")) {
        throw new IllegalArgumentException("dayu.server.election needs a database every server shares: set "
            + "dayu.database.url to PostgreSQL (the embedded H2 database is locked by one server)");
      }
      ZkSettings zks = ZkSettings.from(config);
      settings.advertised(settings.port(), zks.connect()); // refuses an address no other server could reach
      this.zkSettings = Optional.of(zks);
    } else {
      this.zkSettings = Optional.empty();
    }
  }

  /**
   * Reads (fetching a package or a piece, a manifest, the tracker's peers among them) need the reader role; every
   * write (clusters, nodes and their roles and state, packages, parameters, rollouts), the agents' API and
   * announcing pieces the admin role.
   */
  public static MethodPolicy methodPolicy() {
    String dayu = DayuServiceGrpc.SERVICE_NAME + "/";
    String rollout = RolloutServiceGrpc.SERVICE_NAME + "/";
    return MethodPolicy.requiring(Role.ADMIN).with(Role.READER, dayu + "ListClusters", dayu + "ListNodes",
        dayu + "GetClusterInfo", dayu + "ListModules", dayu + "FetchPackage", dayu + "GetParams",
        dayu + "ParamsHistory", dayu + "ParamsDiff", rollout + "GetRollout", rollout + "ListRollouts",
        TrackerServiceGrpc.SERVICE_NAME + "/GetManifest", TrackerServiceGrpc.SERVICE_NAME + "/GetPeers",
        PieceServiceGrpc.SERVICE_NAME + "/FetchPiece");
  }

  @Override
  public void start() {
    PackageStore packages = PackageStore.open(packagesDir);
    database = ConfigDatabase.open(databaseSettings);
    long announceMillis = p2p.getDuration("announce-interval").toMillis();
    // An agent that missed three announces is gone.
    Tracker tracker = new Tracker(3 * announceMillis, p2p.getInt("max-peers"), new Random());
    SeedSpread spread = new SeedSpread(p2p.getDuration("seed-settle").toMillis());
    TrackerApi trackerApi = new TrackerApi(database, tracker, spread, announceMillis, () -> System.nanoTime() / 1_000_000);
    try {
      DayuService dayu = new DayuService(database, packages, settings.maxPackageBytes(),
          (int) p2p.getBytes("piece-size").longValue());
      RolloutApi rollouts = new RolloutApi(() -> office.require().rollouts());
      server = GrpcServer.netty(settings.bind(), settings.port(), security)
          .policy(methodPolicy())
          .initiallyNotServing()
          .intercept(standbyRefuses())
          .service(dayu)
          .service(trackerApi)
          .service(new PieceServer(trackerApi.seed(), new UploadSlots(p2p.getInt("upload-slots")), Optional.empty()))
          .service(rollouts)
          .service(new AgentApi(() -> office.require()))
          .build();
      office = new LeaderOffice<>(server, this::refusal);
      server.start();
      if (settings.httpPort() >= 0) {
        DayuWeb web = new DayuWeb(dayu, rollouts, methodPolicy(),
            () -> office.current().isPresent() ? Optional.empty() : Optional.of(refusal()));
        http = new DaemonHttpServer("the dayu web UI", settings.httpBind(), settings.httpPort(), DayuWeb.METHODS,
            web::handle, web::required, security).start();
      }
      if (zkSettings.isEmpty()) {
        address = settings.bind() + ":" + server.port();
        office.take("the only dayu-server", this::beginTerm);
      } else {
        elect(zkSettings.get());
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    log.info("{}", describe());
  }

  private void elect(ZkSettings zks) {
    zk = ZooKeeperClients.start(zks);
    Advertised advertised = settings.advertised(server.port(), zks.connect());
    address = advertised.address();
    log.info("advertising {} ({})", address, advertised.reason());
    LeaderElection e = new LeaderElection(zk, ZK_BASE, address, LeaderElection.Listener.of(
        epoch -> office.take(address + " with epoch " + epoch, this::beginTerm), reason -> office.leave()));
    election = e;
    try {
      e.start();
    } catch (Exception failed) {
      throw new IllegalStateException("cannot join dayu-server's election: " + failed.getMessage(), failed);
    }
  }

  /** A new term: the unsettled rollouts resumed from the database. Throws (and so declines office) when it cannot read them. */
  private RolloutTerm beginTerm() {
    return new RolloutTerm(database, rolloutSettings, this::refusal);
  }

  /** A standby's answer, naming who leads as the election sees it (nobody without an election: this server is the only one). */
  private Status refusal() {
    LeaderElection e = election;
    return e == null ? LeaderHint.notLeader(Optional.empty()) : e.refusal();
  }

  /** A standby (or a server between terms) answers every call with UNAVAILABLE naming the leader. */
  private ServerInterceptor standbyRefuses() {
    return new ServerInterceptor() {
      @Override
      public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
          ServerCallHandler<Q, A> next) {
        if (office.current().isEmpty()) {
          call.close(refusal(), new Metadata());
          return new ServerCall.Listener<>() {};
        }
        return next.startCall(call, headers);
      }
    };
  }

  /** The configuration database (tests publish and inspect through it). */
  ConfigDatabase database() {
    return database;
  }

  /** The ZooKeeper client of the election, null without one (tests expire its session). */
  CuratorFramework zooKeeper() {
    return zk;
  }

  /** The bound port (useful when port 0 was configured). */
  public int port() {
    return server.port();
  }

  /** The web UI's bound port; -1 without one. */
  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  /** The address this server is known by: advertised in the election, or bind:port alone. */
  public String address() {
    return address;
  }

  /** Whether this server leads (always true for a server without an election, once started). */
  public boolean isLeader() {
    return office != null && office.current().isPresent();
  }

  @Override
  public String describe() {
    return "dayu-server on " + settings.bind() + ":" + (server == null ? settings.port() : server.port())
        + (http == null ? "" : ", web UI on " + settings.httpBind() + ":" + http.port())
        + ", database " + databaseSettings.url() + ", uploads in " + packagesDir
        + zkSettings.map(z -> ", elected through ZooKeeper " + z.connect() + " as " + address).orElse("");
  }

  @Override
  public void close() {
    if (election != null) {
      election.close();
    }
    if (office != null) {
      office.leave();
    }
    if (http != null) {
      http.close();
    }
    if (server != null) {
      server.close();
    }
    if (zk != null) {
      zk.close();
    }
    if (database != null) {
      database.close();
    }
  }
}
