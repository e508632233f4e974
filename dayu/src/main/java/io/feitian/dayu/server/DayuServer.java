package io.feitian.dayu.server;

import com.typesafe.config.Config;
import io.feitian.common.grpc.GrpcServer;
import io.feitian.common.lifecycle.Daemon;
import io.feitian.common.security.MethodPolicy;
import io.feitian.common.security.Role;
import io.feitian.common.security.SecuritySettings;
import io.feitian.dayu.db.ConfigDatabase;
import io.feitian.dayu.db.DatabaseSettings;
import io.feitian.dayu.packages.PackageStore;
import io.feitian.proto.dayu.v1.DayuServiceGrpc;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dayu-server daemon, first increment: the operator API ({@link DayuService}) over the
 * configuration database and the release packages in {@code <data-dir>/packages}. One server per
 * database for now: no election, no standby, no rollouts (docs/DAYU.md, "dayu-server").
 */
public final class DayuServer implements Daemon {
  private static final Logger log = LoggerFactory.getLogger(DayuServer.class);

  private final ServerSettings settings;
  private final DatabaseSettings databaseSettings;
  private final SecuritySettings security;
  private final Path packagesDir;
  private ConfigDatabase database;
  private GrpcServer server;

  public DayuServer(Config config) {
    this.settings = ServerSettings.from(config);
    this.databaseSettings = DatabaseSettings.from(config);
    this.security = SecuritySettings.from(config);
    this.packagesDir = Path.of(config.getString("dayu.data-dir")).resolve("packages");
  }

  /**
   * Reads (fetching a package among them) need the reader role; every write (clusters, nodes,
   * packages, parameters) the admin role.
   */
  public static MethodPolicy methodPolicy() {
    String dayu = DayuServiceGrpc.SERVICE_NAME + "/";
    return MethodPolicy.requiring(Role.ADMIN).with(Role.READER, dayu + "ListClusters", dayu + "ListNodes",
        dayu + "ListModules", dayu + "FetchPackage", dayu + "GetParams", dayu + "ParamsHistory",
        dayu + "ParamsDiff");
  }

  @Override
  public void start() {
    PackageStore packages = PackageStore.open(packagesDir);
    database = ConfigDatabase.open(databaseSettings);
    try {
      server = GrpcServer.netty(settings.bind(), settings.port(), security)
          .policy(methodPolicy())
          .service(new DayuService(database, packages, settings.maxPackageBytes()))
          .build()
          .start();
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
    log.info("{}", describe());
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
    if (server != null) {
      server.close();
    }
    if (database != null) {
      database.close();
    }
  }
}
