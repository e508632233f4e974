package io.feitian.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link PrivatePostgres} server for one test class: started before the class's first test,
 * stopped and deleted after its last. Register it as a static field, and ask it for a fresh
 * database where a test needs one:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PostgresForClass postgres = new PostgresForClass();
 * ... postgres.createDatabase() ...
 * }</pre>
 */
public final class PostgresForClass implements BeforeAllCallback, AfterAllCallback {
  private PrivatePostgres server;

  @Override
  public void beforeAll(ExtensionContext context) {
    server = PrivatePostgres.start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /** Creates an empty database and returns its JDBC URL (user {@link PrivatePostgres#USER}, no password). */
  public String createDatabase() {
    if (server == null) {
      throw new IllegalStateException("PostgreSQL runs only while the test class runs (register this as a static field)");
    }
    return server.createDatabase();
  }
}
