package io.feitian.dayu.db;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the configuration database is: {@code dayu.database} of the
 * configuration (reference.conf documents the keys). An empty URL, the
 * default, is the embedded H2 file {@code <dayu.data-dir>/dayu}; a
 * {@code jdbc:postgresql:} URL selects PostgreSQL.
 */
public record DatabaseSettings(String url, String user, String password, int poolSize, Duration connectTimeout) {

  public DatabaseSettings {
    if (url == null || !url.matches("jdbc:(h2|postgresql):.+")) {
      throw new IllegalArgumentException("dayu.database.url must start with jdbc:h2: or jdbc:postgresql:, got "
          + (url == null ? "nothing" : Inputs.quote(url)));
    }
    if (poolSize < 1 || poolSize > 100) {
      throw new IllegalArgumentException("dayu.database.pool-size must be between 1 and 100, got " + poolSize);
    }
    if (connectTimeout.toMillis() < 250) {
      throw new IllegalArgumentException("dayu.database.connect-timeout must be at least 250ms, got " + connectTimeout);
    }
  }

  public static DatabaseSettings from(Config config) {
    Config db = config.getConfig("dayu.database");
    String url = db.getString("url");
    if (url.isEmpty()) {
      url = embeddedUrl(Path.of(config.getString("dayu.data-dir")).resolve("dayu"));
    }
    return new DatabaseSettings(url, db.getString("user"), db.getString("password"),
        db.getInt("pool-size"), db.getDuration("connect-timeout"));
  }

  /** The embedded default at {@code file} (without H2's ".mv.db" suffix), for tests and tools. */
  public static DatabaseSettings h2(Path file) {
    return new DatabaseSettings(embeddedUrl(file), "dayu", "", 4, Duration.ofSeconds(10));
  }

  private static String embeddedUrl(Path file) {
    return "jdbc:h2:file:" + file.toAbsolutePath();
  }

  @Override
  public String toString() {
    return "DatabaseSettings[url=" + url + ", user=" + user + ", poolSize=" + poolSize + "]";
  }
}
