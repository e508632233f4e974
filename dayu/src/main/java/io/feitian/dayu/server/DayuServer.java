package io.feitian.dayu.server;

import com.typesafe.config.Config;
import io.feitian.common.grpc.GrpcServer;
import io.feitian.common.lifecycle.Daemon;
import io.feitian.common.lifecycle.EventLoop;
import io.feitian.common.security.MethodPolicy;
import io.feitian.common.security.Role;
import io.feitian.common.security.SecuritySettings;
import io.feitian.dayu.control.RolloutControl;
import io.feitian.dayu.control.RolloutSettings;
import io.feitian.dayu.db.ConfigDatabase;
import io.feitian.dayu.db.DatabaseSettings;
import io.feitian.dayu.packages.PackageStore;
import io.feitian.proto.dayu.v1.DayuServiceGrpc;
import java.nio.file.Path;
import io.feitian.proto.dayu.v1.RolloutServiceGrpc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dayu-server daemon, first increment: the operator API ({@link DayuService}) over the
 * configuration database and the release packages in {@code <data-dir>/packages}, rollouts
 * ({@link RolloutControl}, driven by a ticker and the agents' reports) and the agents' API. One
 * server per database for now: no election, no standby (docs/DAYU.md, "dayu-server").
 */
public final class DayuServer implements Daemon {
  private static final Logger log = LoggerFactory.getLogger(DayuServer.class);

  private final ServerSettings settings;
  private final DatabaseSettings databaseSettings;
  private final SecuritySettings security;
  private final Path packagesDir;
  private final RolloutSettings rolloutSettings;
  private ConfigDatabase database;
  private RolloutControl rollouts;
  private EventLoop ticker;
  private GrpcServer server;

  public DayuServer(Config config) {
    this.settings = ServerSettings.from(config);
    this.databaseSettings = DatabaseSettings.from(config);
    this.security = SecuritySettings.from(config);
    this.packagesDir = Path.of(config.getString("dayu.data-dir")).resolve("packages");
    this.rolloutSettings = RolloutSettings.from(config);
  }

  /**
   * Reads (fetching a package among them) need the reader role; every write (clusters, nodes and their roles and state,
   * packages, parameters, rollouts) and the agents' API the admin role.
   */
  public static MethodPolicy methodPolicy() {
    String dayu = DayuServiceGrpc.SERVICE_NAME + "/";
    String rollout = RolloutServiceGrpc.SERVICE_NAME + "/";
    return MethodPolicy.requiring(Role.ADMIN).with(Role.READER, dayu + "ListClusters", dayu + "ListNodes",
        dayu + "GetClusterInfo", dayu + "ListModules", dayu + "FetchPackage", dayu + "GetParams",
        dayu + "ParamsHistory", dayu + "ParamsDiff", rollout + "GetRollout", rollout + "ListRollouts");
  }

  @Override
  public void start() {
    PackageStore packages = PackageStore.open(packagesDir);
    database = ConfigDatabase.open(databaseSettings);
    try {
      rollouts = new RolloutControl(database, rolloutSettings, System::currentTimeMillis);
      rollouts.resume();
      server = GrpcServer.netty(settings.bind(), settings.port(), security)
          .policy(methodPolicy())
          .service(new DayuService(database, packages, settings.maxPackageBytes()))
          .service(new RolloutApi(rollouts))
          .service(new AgentApi(rollouts))
          .build()
          .start();
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
    // tick() survives each rollout's failure itself; the loop logs anything else and goes on.
    ticker = new EventLoop("dayu-rollouts", e -> log.warn("rollout tick failed", e));
    long tick = rolloutSettings.tick().toMillis();
    ticker.every(tick, tick, rollouts::tick);
    log.info("{}", describe());
  }

  /** The configuration database (tests publish and inspect through it). */
  ConfigDatabase database() {
    return database;
  }

  /** The bound port (useful when port 0 was configured). */
  public int port() {
    return server.port();
  }

  @Override
  public String describe() {
    return "dayu-server on " + settings.bind() + ":" + (server == null ? settings.port() : server.port())
        + ", database " + databaseSettings.url() + ", packages in " + packagesDir;
  }

  @Override
  public void close() {
    if (ticker != null) {
      ticker.close();
    }
    if (server != null) {
      server.close();
    }
    if (database != null) {
      database.close();
    }
  }
}
