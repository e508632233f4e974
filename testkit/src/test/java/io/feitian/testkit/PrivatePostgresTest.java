package io.feitian.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class PrivatePostgresTest {

  @Test
  void startsOnItsOwnPortAndLeavesNothingBehind() {
    PrivatePostgres pg = PrivatePostgres.start();
    try {
      assertTrue(accepts(pg.port()), "the server listens on its port");
      assertTrue(pg.createDatabase().endsWith(":" + pg.port() + "/test_1"));
      assertTrue(pg.createDatabase().endsWith("/test_2"));
    } finally {
      pg.close();
    }
    assertFalse(accepts(pg.port()), "the server stopped");
    assertFalse(Files.exists(pg.directory()), "its directory is gone");
    pg.close();
    assertThrows(IllegalStateException.class, pg::createDatabase);
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
