package io.feitian.dayu.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Clock;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/**
 * Dayu's cluster configuration database: a connection pool, the schema
 * brought up to date by Flyway when it opens, and one store per concept.
 * Thread-safe: every store method is its own transaction.
 */
public final class ConfigDatabase implements AutoCloseable {
  /** Where the migrations are, on the classpath. */
  static final String MIGRATIONS = "classpath:io/feitian/dayu/db/migration";

  private final HikariDataSource pool;
  private final Jdbi jdbi;
  private final ClusterStore clusters;
  private final ModuleStore modules;
  private final ParamStore params;
  private final RolloutStore rollouts;

  private ConfigDatabase(HikariDataSource pool, Clock clock) {
    this.pool = pool;
    this.jdbi = Jdbi.create(pool).installPlugin(new SqlObjectPlugin());
    Mappers.register(jdbi);
    Transactions tx = new Transactions(jdbi, clock);
    this.clusters = new ClusterStore(tx);
    this.modules = new ModuleStore(tx);
    this.params = new ParamStore(tx);
    this.rollouts = new RolloutStore(tx);
  }

  public static ConfigDatabase open(DatabaseSettings settings) {
    return open(settings, Clock.systemUTC());
  }

  /** Opens the database, creating or migrating its schema; {@code clock} stamps the rows. */
  public static ConfigDatabase open(DatabaseSettings settings, Clock clock) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("dayu-db");
    config.setJdbcUrl(settings.url());
    config.setUsername(settings.user());
    config.setPassword(settings.password());
    config.setMaximumPoolSize(settings.poolSize());
    config.setConnectionTimeout(settings.connectTimeout().toMillis());
    // Fail here, with the database's own message, rather than at the first query.
    config.setInitializationFailTimeout(settings.connectTimeout().toMillis());
    HikariDataSource pool = new HikariDataSource(config);
    try {
      Flyway.configure().dataSource(pool).locations(MIGRATIONS).load().migrate();
      return new ConfigDatabase(pool, clock);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  public ClusterStore clusters() {
    return clusters;
  }

  public ModuleStore modules() {
    return modules;
  }

  public ParamStore params() {
    return params;
  }

  public RolloutStore rollouts() {
    return rollouts;
  }

  /** For tests of this package: the raw database. */
  Jdbi jdbi() {
    return jdbi;
  }

  @Override
  public void close() {
    pool.close();
  }
}
