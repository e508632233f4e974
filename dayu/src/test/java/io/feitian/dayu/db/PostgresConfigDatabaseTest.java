package io.feitian.dayu.db;

import io.feitian.testkit.PrivatePostgres;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The configuration database contract on PostgreSQL 15: a private server
 * for the class, a new database for each test.
 */
class PostgresConfigDatabaseTest extends ConfigDatabaseContract {
  private static PrivatePostgres postgres;

  @BeforeAll
  static void startPostgres() {
    postgres = PrivatePostgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Override
  DatabaseSettings freshDatabase() {
    return new DatabaseSettings(postgres.createDatabase(), PrivatePostgres.USER, "", 4, Duration.ofSeconds(10));
  }
}
