package io.feitian.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The systemd units: what they must say, and `systemd-analyze verify` where that tool works. */
class SystemdUnitsIT {
  @BeforeAll
  static void built() {
    Dist.assertBuilt();
  }

  /** A unit file as section.key -&gt; values (a key may repeat). */
  static Map<String, List<String>> parse(Path unit) throws IOException {
    Map<String, List<String>> keys = new LinkedHashMap<>();
    String section = "";
    for (String raw : Files.readAllLines(unit)) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[")) {
        section = line.substring(1, line.indexOf(']'));
        continue;
      }
      int eq = line.indexOf('=');
      assertTrue(eq > 0, unit + ": not key=value: " + line);
      keys.computeIfAbsent(section + "." + line.substring(0, eq).strip(), k -> new ArrayList<>())
          .add(line.substring(eq + 1).strip());
    }
    return keys;
  }

  private static Map<String, List<String>> unit(String daemon) throws IOException {
    return parse(Dist.HOME.resolve("systemd/feitian-" + daemon + ".service"));
  }

  private static String one(Map<String, List<String>> unit, String key) {
    List<String> values = unit.get(key);
    assertTrue(values != null && values.size() == 1, key + " should be set once, is " + values);
    return values.get(0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"fuxi-master", "task-worker", "shennong-master", "shennong-agent", "shennong-inspector",
      "monitor-service", "analysis-service", "dayu-server", "dayu-agent", "zookeeper"})
  void everyUnitHasTheCommonSettings(String daemon) throws IOException {
    Map<String, List<String>> u = unit(daemon);
    assertTrue(one(u, "Unit.Description").length() > 10);
    assertTrue(u.containsKey("Unit.Documentation"), "Documentation=");
    assertTrue(one(u, "Unit.After").contains("network-online.target"));
    assertTrue(one(u, "Unit.Wants").contains("network-online.target"));
    assertEquals("/etc/feitian", envOf(u).get("FEITIAN_CONF"));
    if (!daemon.equals("dayu-agent")) {
      assertEquals("feitian", one(u, "Service.User"));
      assertEquals("feitian", one(u, "Service.Group"));
    }
    assertEquals("on-failure", one(u, "Service.Restart"));
    assertEquals("2", one(u, "Service.RestartSec"));
    assertEquals("65536", one(u, "Service.LimitNOFILE"));
    assertEquals("journal", one(u, "Service.StandardOutput"));
    assertEquals("journal", one(u, "Service.StandardError"));
    assertEquals("feitian-" + daemon, one(u, "Service.SyslogIdentifier"));
    assertEquals("30", one(u, "Service.TimeoutStopSec"));
    assertEquals("143", one(u, "Service.SuccessExitStatus"), "a JVM ended by SIGTERM exits with 143");
    assertTrue(one(u, "Service.ExecStart").startsWith("/opt/feitian/bin/" + program(daemon) + " "));
    assertEquals("multi-user.target", one(u, "Install.WantedBy"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"fuxi-master", "task-worker", "shennong-master", "shennong-agent", "shennong-inspector",
      "monitor-service", "analysis-service", "dayu-server", "dayu-agent"})
  void feitianDaemonsNotifyAndReadEtcFeitian(String daemon) throws IOException {
    Map<String, List<String>> u = unit(daemon);
    assertEquals("notify", one(u, "Service.Type"));
    assertEquals("all", one(u, "Service.NotifyAccess"), "systemd-notify runs as a child of the JVM");
    assertEquals("/opt/feitian/bin/" + program(daemon) + " --config /etc/feitian/" + daemon + ".conf",
        one(u, "Service.ExecStart"));
    assertEquals("2", one(u, "Service.RestartPreventExitStatus"), "exit 2 = bad configuration");
  }

  @Test
  void zookeeperDoesNotClaimToNotify() throws IOException {
    Map<String, List<String>> u = unit("zookeeper");
    assertEquals("exec", one(u, "Service.Type"), "ZooKeeper never calls sd_notify: Type=notify would time out");
    assertEquals("feitian/zookeeper", one(u, "Service.StateDirectory"));
    assertEquals("/opt/feitian/bin/zookeeper /etc/feitian/zoo.cfg", one(u, "Service.ExecStart"));
  }

  @Test
  void stoppingTheTaskWorkerLeavesItsWorkersRunning() throws IOException {
    Map<String, List<String>> u = unit("task-worker");
    assertEquals("process", one(u, "Service.KillMode"),
        "the task-worker's workers must survive its stop/restart (they are adopted by the next start)");
    assertEquals("continue", one(u, "Service.OOMPolicy"), "one worker killed by the OOM killer must not stop the unit");
    assertEquals("feitian/task-worker", one(u, "Service.StateDirectory"));
    assertFalse(u.containsKey("Service.PrivateTmp"), "a private /tmp is removed on stop while workers still use it");
  }

  /** What a daemon's unit runs: dayu-agent's runs its launcher, which runs the agent's confirmed version. */
  private static String program(String daemon) {
    return daemon.equals("dayu-agent") ? "dayu-agent-launcher" : daemon;
  }

  @Test
  void dayuAgentRunsAsRootAndLeavesTheModulesItSupervisesRunning() throws IOException {
    Map<String, List<String>> u = unit("dayu-agent");
    assertFalse(u.containsKey("Service.User"), "the agent installs modules and drives systemctl: root");
    assertEquals("process", one(u, "Service.KillMode"), "the supervised modules share the agent's cgroup");
    assertEquals("feitian/dayu-agent", one(u, "Service.StateDirectory"));
  }

  @Test
  void mastersAndZooKeeperKillTheirWholeCgroup() throws IOException {
    for (String daemon : List.of("fuxi-master", "zookeeper")) {
      assertFalse(unit(daemon).containsKey("Service.KillMode"), daemon + " should use the default KillMode");
    }
  }

  private static Map<String, String> envOf(Map<String, List<String>> u) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String assignment : u.getOrDefault("Service.Environment", List.of())) {
      for (String word : assignment.split("\\s+")) {
        int eq = word.indexOf('=');
        env.put(word.substring(0, eq), word.substring(eq + 1));
      }
    }
    return env;
  }

  // --- systemd-analyze verify -------------------------------------------------------------------

  private static Optional<Path> systemdAnalyze() {
    for (String dir : (System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin:/bin")
        .split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, "systemd-analyze");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static Dist.Result verify(Path tool, Path unit) {
    return Dist.run(List.of(tool.toString(), "verify", "--man=no", unit.toString()), Map.of(), Duration.ofSeconds(30));
  }

  /**
   * systemd-analyze verify checks syntax, values and that ExecStart= is executable. The unit's
   * /opt/feitian is replaced by the built tree so that the launchers it names exist. Any output is a
   * failure: unknown keys and bad values are only warnings (exit status 0).
   */
  @ParameterizedTest
  @ValueSource(strings = {"feitian-fuxi-master.service", "feitian-task-worker.service",
      "feitian-shennong-master.service", "feitian-shennong-agent.service", "feitian-shennong-inspector.service",
      "feitian-monitor-service.service", "feitian-analysis-service.service", "feitian-dayu-server.service",
      "feitian-dayu-agent.service", "feitian-zookeeper.service"})
  void passesSystemdAnalyzeVerify(String name, @TempDir Path dir) throws IOException {
    Optional<Path> tool = systemdAnalyze();
    Assumptions.assumeTrue(tool.isPresent(), "systemd-analyze is not installed: units not verified");
    Path probe = dir.resolve("feitian-probe.service");
    Files.writeString(probe, "[Unit]\nDescription=probe\n[Service]\nExecStart=/bin/sh -c true\n");
    Dist.Result probed = verify(tool.get(), probe);
    Assumptions.assumeTrue(probed.exit() == 0 && probed.stdout().isBlank() && probed.stderr().isBlank(),
        () -> "systemd-analyze verify does not work in this environment (a trivial unit fails): " + probed);

    String text = Files.readString(Dist.HOME.resolve("systemd").resolve(name));
    String home = Dist.HOME.toString();
    assertFalse(home.matches(".*\\s.*"), "the tree's path has white space, ExecStart= would split it: " + home);
    Path unit = dir.resolve(name);
    Files.writeString(unit, text.replace("/opt/feitian/", home + "/"));
    Dist.Result r = verify(tool.get(), unit);
    assertEquals(0, r.exit(), "systemd-analyze verify " + name + ":\n" + r);
    assertEquals("", (r.stdout() + r.stderr()).strip(), "systemd-analyze verify " + name + " warns:\n" + r);
  }
}
