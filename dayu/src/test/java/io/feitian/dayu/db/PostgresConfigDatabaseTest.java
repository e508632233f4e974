package io.feitian.dayu.db;

import io.feitian.testkit.PostgresForClass;
import io.feitian.testkit.PrivatePostgres;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The configuration database contract on PostgreSQL 15: a private server
 * for the class, a new database for each test.
 */
class PostgresConfigDatabaseTest extends ConfigDatabaseContract {
  @RegisterExtension
  static final PostgresForClass postgres = new PostgresForClass();

  @Override
  DatabaseSettings freshDatabase() {
    return new DatabaseSettings(postgres.createDatabase(), PrivatePostgres.USER, "", 4, Duration.ofSeconds(10));
  }
}
