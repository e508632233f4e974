package io.feitian.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A private PostgreSQL server for tests: a fresh cluster ({@code initdb}) in a
 * temporary directory, started with {@code pg_ctl} on a free loopback port ({@link FreePorts}),
 * with a superuser {@link #USER} that needs no password. Stopped with
 * {@code pg_ctl -m fast stop} and deleted by {@link #close()}, or by a
 * shutdown hook if the test JVM ends first.
 *
 * <p>PostgreSQL refuses to run as root, so under root the server runs as the
 * {@code postgres} user (through {@code runuser}), which owns the directory.
 * PostgreSQL 15 is installed on the project's machines and CI; if it is
 * missing, {@link DebianPackages} installs it. It never skips: a
 * test that asked for PostgreSQL fails when PostgreSQL cannot start.
 *
 * <p>The server trades durability for speed ({@code fsync=off}): it holds
 * test data only.
 */
public final class PrivatePostgres implements AutoCloseable {
  public static final String USER = "feitian";
  private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
  private static final String OS_USER = "postgres";
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

  private final Path dir;
  private final int port;
  private final boolean asRoot;
  private final AtomicInteger databases = new AtomicInteger();
  private final Thread shutdownHook;
  private boolean stopped;

  private PrivatePostgres(Path dir, int port, boolean asRoot) {
    this.dir = dir;
    this.port = port;
    this.asRoot = asRoot;
    this.shutdownHook = new Thread(this::stop, "private-postgres-stop");
  }

  /** Creates, starts and returns a server (about 2 s). */
  public static PrivatePostgres start() {
    boolean asRoot = "root".equals(System.getProperty("user.name"));
    DebianPackages.ensure(BIN.resolve("pg_ctl"), "postgresql-15");
    Path dir;
    try {
      dir = Files.createTempDirectory("feitian-pg");
      if (asRoot) {
        UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(OS_USER);
        Files.setOwner(dir, owner);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare a directory for PostgreSQL", e);
    }
    PrivatePostgres pg = new PrivatePostgres(dir, FreePorts.one(), asRoot);
    try {
      pg.run(BIN.resolve("initdb").toString(), "-D", pg.data().toString(), "-A", "trust", "-U", USER,
          "-E", "UTF8", "--locale=C", "--no-sync");
      pg.run(BIN.resolve("pg_ctl").toString(), "-D", pg.data().toString(), "-l", dir.resolve("log").toString(),
          "-w", "-t", "60", "-o", "-p " + pg.port + " -k " + dir + " -c listen_addresses=127.0.0.1"
              + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
          "start");
    } catch (RuntimeException e) {
      pg.close();
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(pg.shutdownHook);
    return pg;
  }

  public int port() {
    return port;
  }

  /** The JDBC URL of database {@code name} on this server. */
  public String jdbcUrl(String name) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
  }

  /** Creates an empty database with a new name and returns its JDBC URL (user {@link #USER}, no password). */
  public synchronized String createDatabase() {
    if (stopped) {
      throw new IllegalStateException("the server was stopped");
    }
    String name = "test_" + databases.incrementAndGet();
    run(BIN.resolve("psql").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", USER,
        "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", "CREATE DATABASE " + name);
    return jdbcUrl(name);
  }

  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run: nothing to remove
    }
  }

  private synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    try {
      if (Files.exists(data().resolve("postmaster.pid"))) {
        run(BIN.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "fast", "-w", "stop");
      }
    } finally {
      TempDirs.deleteTree(dir);
    }
  }

  /** Where the server's files are, until {@link #close()} deletes them. */
  Path directory() {
    return dir;
  }

  private Path data() {
    return dir.resolve("data");
  }

  private void run(String... command) {
    List<String> cmd = new ArrayList<>();
    if (asRoot) {
      cmd.addAll(List.of("runuser", "-u", OS_USER, "--"));
    }
    cmd.addAll(List.of(command));
    try {
      Commands.run(cmd, COMMAND_TIMEOUT);
    } catch (IllegalStateException e) {
      throw new IllegalStateException(e.getMessage() + tail(dir.resolve("log")), e);
    }
  }

  /** The server log's last lines, for an error. */
  private static String tail(Path log) {
    if (!Files.isRegularFile(log)) {
      return "";
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "\n(server log unreadable: " + e + ")";
    }
    return "\nserver log:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }
}
