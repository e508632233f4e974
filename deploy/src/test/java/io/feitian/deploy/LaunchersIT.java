package io.feitian.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.feitian.testkit.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launchers in bin/, run from the built tree. */
class LaunchersIT {
  private static final Duration JVM = Duration.ofSeconds(30);

  @BeforeAll
  static void built() {
    Dist.assertBuilt();
  }

  private static Dist.Result run(Map<String, String> env, String program, String... args) {
    return Dist.run(concat(Dist.bin(program).toString(), args), env, JVM);
  }

  @Test
  void fuxiMasterPrintsItsConfigurationFromConfDir() {
    Dist.Result r = run(Map.of(), "fuxi-master", "--print-config");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.stdout().contains("zookeeper"), "no feitian.zookeeper in the output:\n" + r);
    assertTrue(r.stdout().contains("fuxi"), "no fuxi.master keys in the output:\n" + r);
    // conf/fuxi-master.conf sets bind = "0.0.0.0" (the default is 127.0.0.1): the launcher passed it.
    assertTrue(r.stdout().contains("0.0.0.0"), "conf/fuxi-master.conf was not read:\n" + r);
    // Bound to every interface, it advertises the one that reaches ZooKeeper (here: loopback) and says so.
    assertTrue(r.stdout().contains("# advertised address: 127.0.0.1:7100 (the address of the interface that reaches"
        + " ZooKeeper 127.0.0.1:2181)"), r.toString());
  }

  @Test
  void aLoopbackAdvertisementIsRefusedWhenZooKeeperIsRemote() {
    Dist.Result r = run(Map.of(), "fuxi-master", "--print-config", "--set", "fuxi.master.bind=127.0.0.1",
        "--set", "feitian.zookeeper.connect=10.1.2.3:2181");
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.stderr().contains("fuxi.master.advertise would be 127.0.0.1:7100 (the bind address), a loopback"
        + " address, while ZooKeeper 10.1.2.3:2181 is on another host"), r.toString());
  }

  @Test
  void taskWorkerPrintsItsConfigurationFromConfDir() {
    Dist.Result r = run(Map.of(), "task-worker", "--print-config");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.stdout().contains("task-worker"), "no task-worker keys in the output:\n" + r);
    assertTrue(r.stdout().contains("work-dir"), "no task-worker.work-dir in the output:\n" + r);
    assertTrue(r.stdout().contains("0.0.0.0"), "conf/task-worker.conf was not read:\n" + r);
  }

  @Test
  void feitianConfChoosesTheConfigurationDirectoryAndFlagsWin(@TempDir Path conf) throws IOException {
    Files.writeString(conf.resolve("fuxi-master.conf"), "feitian.cluster-name = \"from-feitian-conf\"\n");
    Dist.Result r = run(Map.of("FEITIAN_CONF", conf.toString()), "fuxi-master", "--print-config");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.stdout().contains("from-feitian-conf"), "$FEITIAN_CONF/fuxi-master.conf not used:\n" + r);

    r = run(Map.of("FEITIAN_CONF", conf.toString()), "fuxi-master", "--print-config",
        "--set", "feitian.cluster-name=from-flag");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.stdout().contains("from-flag"), "--set not passed through:\n" + r);
  }

  @Test
  void anExplicitConfigReplacesTheDefaultFile(@TempDir Path dir) throws IOException {
    Path conf = Files.createDirectory(dir.resolve("conf"));
    // A default file the launcher must not pass when the user names one (it would fail to parse).
    Files.writeString(conf.resolve("fuxi-master.conf"), "this is { not HOCON\n");
    Path mine = dir.resolve("mine.conf");
    Files.writeString(mine, "feitian.cluster-name = \"explicit-config\"\n");
    Dist.Result r = run(Map.of("FEITIAN_CONF", conf.toString()), "fuxi-master", "--config", mine.toString(),
        "--print-config");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.stdout().contains("explicit-config"), r.toString());
  }

  @Test
  void worksThroughASymlinkFromAnotherDirectory(@TempDir Path dir) throws IOException {
    Path link = Files.createSymbolicLink(dir.resolve("fm"), Dist.bin("fuxi-master"));
    Dist.Result r = Dist.run(List.of(link.toString(), "--print-config", "--set", "feitian.cluster-name=via-link"),
        Map.of(), JVM);
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.stdout().contains("via-link"), r.toString());
  }

  /** A JDK whose java prints its arguments, one per line, so the launchers' command lines can be read. */
  private static Path echoJdk(Path dir, String version) throws IOException {
    Path java = Files.createDirectories(dir.resolve("bin")).resolve("java");
    Files.writeString(java, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(dir.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
    return dir;
  }

  private static List<String> commandLine(Path jdk, Map<String, String> env, String program, String... args) {
    Map<String, String> all = new HashMap<>(env);
    all.put("JAVA_HOME", jdk.toString());
    Dist.Result r = Dist.run(concat(Dist.bin(program).toString(), args), all, JVM);
    assertEquals(0, r.exit(), r.toString());
    return r.stdout().lines().toList();
  }

  private static List<String> concat(String first, String... rest) {
    List<String> all = new ArrayList<>();
    all.add(first);
    all.addAll(List.of(rest));
    return all;
  }

  @Test
  void daemonCommandLine(@TempDir Path dir) throws IOException {
    Path jdk = echoJdk(dir, "17.0.12");
    String home = Dist.HOME.toRealPath().toString(); // the launcher resolves symlinks
    List<String> argv = commandLine(jdk, Map.of("FEITIAN_JAVA_OPTS", "-Xmx2g -Dx=1",
        "FEITIAN_FUXI_MASTER_JAVA_OPTS", "-Dy=2", "FEITIAN_TASK_WORKER_JAVA_OPTS", "-Dnot=mine"),
        "fuxi-master", "--set", "a=b");
    assertEquals(List.of("-Xms256m", "-Xmx1g", "-XX:+ExitOnOutOfMemoryError",
        "-Dlogback.configurationFile=" + home + "/conf/logback.xml", "-Xmx2g", "-Dx=1", "-Dy=2",
        "-cp", home + "/lib/*", "io.feitian.fuxi.master.FuxiMasterMain",
        "--config", home + "/conf/fuxi-master.conf", "--set", "a=b"), argv);

    argv = commandLine(jdk, Map.of(), "task-worker", "--config", "/elsewhere.conf");
    assertEquals(List.of("io.feitian.taskworker.TaskWorkerMain", "--config", "/elsewhere.conf"),
        argv.subList(argv.indexOf("io.feitian.taskworker.TaskWorkerMain"), argv.size()),
        "no second --config when the user gives one");
    assertTrue(argv.contains("-Xmx256m"), argv.toString());
  }

  @Test
  void operatorConfDirectoryHoldsConfigAndLogging(@TempDir Path dir) throws IOException {
    Path jdk = echoJdk(Files.createDirectory(dir.resolve("jdk")), "21");
    Path etc = Files.createDirectory(dir.resolve("etc"));
    Files.writeString(etc.resolve("task-worker.conf"), "");
    Files.writeString(etc.resolve("logback.xml"), "<configuration/>");
    List<String> argv = commandLine(jdk, Map.of("FEITIAN_CONF", etc.toString()), "task-worker");
    assertTrue(argv.contains("-Dlogback.configurationFile=" + etc.resolve("logback.xml")), argv.toString());
    assertEquals(List.of("--config", etc.resolve("task-worker.conf").toString()),
        argv.subList(argv.size() - 2, argv.size()));

    Files.delete(etc.resolve("task-worker.conf"));
    Files.delete(etc.resolve("logback.xml"));
    argv = commandLine(jdk, Map.of("FEITIAN_CONF", etc.toString()), "task-worker");
    assertEquals("io.feitian.taskworker.TaskWorkerMain", argv.get(argv.size() - 1), "no file, no --config");
    assertTrue(argv.contains("-Dlogback.configurationFile=" + Dist.HOME.toRealPath().resolve("conf/logback.xml")), argv.toString());
  }

  @Test
  void cliAndZooKeeperCommandLines(@TempDir Path dir) throws IOException {
    Path jdk = echoJdk(dir, "17");
    List<String> argv = commandLine(jdk, Map.of("FEITIAN_CLI_JAVA_OPTS", "-Dz=3"), "feitian", "cluster", "status");
    assertTrue(argv.containsAll(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
        "-DFEITIAN_LOG_TARGET=System.err", "-DFEITIAN_LOG_LEVEL=WARN", "-Dz=3")), argv.toString());
    assertFalse(argv.contains("-XX:+ExitOnOutOfMemoryError"), argv.toString());
    assertEquals(List.of("io.feitian.client.cli.FeitianCli", "cluster", "status"), argv.subList(argv.size() - 3, argv.size()));

    argv = commandLine(jdk, Map.of("FEITIAN_LOG_LEVEL", "DEBUG"), "feitian");
    assertFalse(argv.contains("-DFEITIAN_LOG_LEVEL=WARN"), "FEITIAN_LOG_LEVEL from the environment must win: " + argv);

    argv = commandLine(jdk, Map.of(), "zookeeper");
    assertEquals(List.of("org.apache.zookeeper.server.ZooKeeperServerMain", Dist.HOME.toRealPath().resolve("conf/zoo.cfg").toString()),
        argv.subList(argv.size() - 2, argv.size()));
    assertTrue(argv.contains("-Xmx512m"), argv.toString());
  }

  @Test
  void refusesJavaOlderThan17WithAClearMessage(@TempDir Path jdk) throws IOException {
    Path bin = Files.createDirectories(jdk.resolve("bin"));
    Path java = bin.resolve("java");
    Files.writeString(java, "#!/bin/sh\necho 'openjdk version \"11.0.22\" 2024-01-16' >&2\nexit 0\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Dist.Result r = run(Map.of("JAVA_HOME", jdk.toString()), "task-worker", "--print-config");
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.stderr().contains("Java 17 or newer is required") && r.stderr().contains("Java 11"), r.toString());

    // The same through a JDK's release file (the fast path, no JVM started).
    Files.writeString(jdk.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"1.8.0_402\"\n");
    r = run(Map.of("JAVA_HOME", jdk.toString()), "fuxi-master", "--print-config");
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.stderr().contains("Java 8"), r.toString());
  }

  @Test
  void saysWhenJavaHomeIsWrong(@TempDir Path empty) {
    Dist.Result r = run(Map.of("JAVA_HOME", empty.toString()), "fuxi-master", "--print-config");
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.stderr().contains("JAVA_HOME"), r.toString());
  }

  @Test
  void dayuAgentLauncherRefusesABadWindow() {
    Dist.Result r = run(Map.of(), "dayu-agent-launcher", "--trial-window", "soon");
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.stderr().contains("dayu-agent-launcher: --trial-window must be a duration such as 500ms, 30s or 2m, "
        + "got \"soon\""), r.toString());
  }

  /**
   * bin/dayu-agent-launcher runs the tree's own bin/dayu-agent (the base version) as its child, with
   * the agent's root read from the agent's arguments, and stops it on SIGTERM.
   */
  @Test
  void dayuAgentLauncherRunsTheBaseAgentAndStopsItOnSigterm(@TempDir Path dir) throws Exception {
    Path root = dir.resolve("agent-root");
    Path log = dir.resolve("launcher.log");
    Process launcher = Dist.builder(List.of(Dist.bin("dayu-agent-launcher").toString(),
            "--set", "dayu.agent.root=" + root, "--set", "dayu.agent.server=127.0.0.1:1",
            "--set", "dayu.agent.cluster=c", "--set", "dayu.agent.host=h", "--set", "dayu.agent.peer.port=-1"), Map.of())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    try {
      Path pidFile = root.resolve("launcher/agent.pid");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!Files.isRegularFile(pidFile) && launcher.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertTrue(Files.isRegularFile(pidFile), "no agent started:\n" + Files.readString(log));
      ProcessHandle agent = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim().split(" ")[0]))
          .orElseThrow(() -> new AssertionError("the agent is gone:\n" + readQuietly(log)));
      assertTrue(agent.parent().map(ProcessHandle::pid).orElse(-1L) == launcher.pid(), "not the launcher's child");
      // The pid is bin/dayu-agent's, a shell until it has read common.sh and exec'd the JVM.
      while (!agent.info().command().orElse("").endsWith("/java") && agent.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertTrue(agent.info().command().orElse("").endsWith("/java"), "bin/dayu-agent did not exec java: "
          + agent.info().command().orElse("gone") + "\n" + readQuietly(log));
      assertTrue(Files.readString(log).contains("starting dayu-agent the base version from " + Dist.HOME.toRealPath()),
          Files.readString(log));
      launcher.destroy(); // SIGTERM
      assertTrue(launcher.waitFor(40, TimeUnit.SECONDS), "the launcher did not stop:\n" + Files.readString(log));
      assertTrue(agent.onExit().get(5, TimeUnit.SECONDS) != null && !agent.isAlive(), "the agent outlived its launcher");
    } finally {
      launcher.destroyForcibly();
    }
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** bin/zookeeper runs a real server from lib/ (ZooKeeper's "provided" jars included), as the JVM itself. */
  @Test
  void zookeeperServesAndStopsOnSigterm(@TempDir Path dir) throws Exception {
    int port = FreePorts.one();
    Path cfg = dir.resolve("zoo.cfg");
    Files.writeString(cfg, String.join("\n",
        "tickTime=2000",
        "dataDir=" + dir.resolve("data"),
        "clientPort=" + port,
        "clientPortAddress=127.0.0.1",
        "admin.enableServer=false",
        "4lw.commands.whitelist=ruok",
        ""));
    Path log = dir.resolve("zk.log");
    Process zk = Dist.builder(List.of(Dist.bin("zookeeper").toString(), cfg.toString()), Map.of())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    try {
      String answer = "";
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!answer.equals("imok") && zk.isAlive() && System.nanoTime() < deadline) {
        answer = fourLetterWord(port, "ruok");
        if (!answer.equals("imok")) {
          Thread.sleep(100);
        }
      }
      assertEquals("imok", answer, "ZooKeeper did not answer ruok:\n" + Files.readString(log));
      // The launcher exec'ed java: the process systemd would signal is the JVM, not a shell.
      String command = zk.info().command().orElse("");
      assertTrue(command.endsWith("/java"), "the launcher did not exec java; the process runs " + command);
      zk.destroy(); // SIGTERM
      assertTrue(zk.waitFor(15, TimeUnit.SECONDS), "ZooKeeper did not stop on SIGTERM:\n" + Files.readString(log));
    } finally {
      zk.destroyForcibly();
    }
  }

  private static String fourLetterWord(int port, String word) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      s.setSoTimeout(1000);
      OutputStream out = s.getOutputStream();
      out.write(word.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      return "";
    }
  }

  /** The CLI starts from the tree, its log on stderr. Skipped while its main class is not written yet. */
  @Test
  void cliStarts() throws IOException {
    Path clientJar = Dist.HOME.resolve("lib/feitian-client-" + Dist.VERSION + ".jar");
    assertTrue(Files.isRegularFile(clientJar), clientJar + " missing");
    boolean hasMain;
    try (ZipFile zip = new ZipFile(clientJar.toFile())) {
      hasMain = zip.getEntry("io/feitian/client/cli/FeitianCli.class") != null;
    }
    Assumptions.assumeTrue(hasMain, "io.feitian.client.cli.FeitianCli is not in " + clientJar.getFileName() + " yet");
    Dist.Result r = run(Map.of(), "feitian", "--help");
    assertEquals(0, r.exit(), r.toString());
    assertFalse((r.stdout() + r.stderr()).isBlank(), "feitian --help printed nothing");
    assertFalse(r.stdout().contains(" INFO "), "the CLI logs on stdout:\n" + r);
  }
}
