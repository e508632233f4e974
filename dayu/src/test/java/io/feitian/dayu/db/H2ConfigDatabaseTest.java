package io.feitian.dayu.db;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The configuration database contract on the embedded default: an H2 file in a temporary directory. */
class H2ConfigDatabaseTest extends ConfigDatabaseContract {
  @TempDir
  Path dir;

  @Override
  DatabaseSettings freshDatabase() {
    return DatabaseSettings.h2(dir.resolve("dayu"));
  }
}
