package io.feitian.dayu.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.dayu.agent.DayuAgentMain;
import io.feitian.dayu.descriptor.Descriptors;
import io.feitian.dayu.launcher.AgentLauncherMain;
import io.feitian.dayu.launcher.LauncherFiles;
import io.feitian.dayu.launcher.LauncherState;
import io.feitian.dayu.launcher.RunningAgent;
import io.feitian.proto.dayu.v1.AddClusterRequest;
import io.feitian.proto.dayu.v1.AddNodeRequest;
import io.feitian.proto.dayu.v1.GetRolloutRequest;
import io.feitian.proto.dayu.v1.NodeTaskInfo;
import io.feitian.proto.dayu.v1.RolloutInfo;
import io.feitian.proto.dayu.v1.RolloutKind;
import io.feitian.proto.dayu.v1.RolloutStrategy;
import io.feitian.proto.dayu.v1.StartRolloutRequest;
import io.feitian.testkit.ChildJvm;
import io.feitian.testkit.SamplePackages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dayu-agent upgrading itself, end to end: a real dayu-server (H2) and, per node, a real
 * dayu-agent-launcher process running real dayu-agent processes. The agent's versions are release
 * packages of module dayu-agent whose {@code bin/dayu-agent} runs this build's agent (a good
 * version), exits at once (a broken one), or runs it against a server that does not exist (one
 * that never registers), with the descriptor Feitian ships for dayu-agent. The launchers' trial
 * window is {@value #WINDOW} where a version must miss it, and {@value #WIDE_WINDOW} where a good
 * version must make it (a JVM's start on the loaded 2-core CI machine took more than 10 s).
 */
class SelfUpgradeTest {
  private static final String CLUSTER = "prod";
  private static final String WINDOW = "10s";
  private static final String WIDE_WINDOW = "40s";
  private static final Duration DEADLINE = Duration.ofSeconds(120);
  private static final Set<String> SETTLED = Set.of("SUCCEEDED", "FAILED", "ABORTED", "ROLLED_BACK");

  @TempDir
  Path dir;
  private DayuServerFixture server;
  private final Map<String, Process> launchers = new LinkedHashMap<>();

  @AfterEach
  void stop() throws Exception {
    for (Map.Entry<String, Process> l : launchers.entrySet()) {
      // SIGTERM: the launcher stops its agent, then ends.
      l.getValue().destroy();
      if (!l.getValue().waitFor(30, TimeUnit.SECONDS)) {
        ChildJvm.kill9(l.getValue());
      }
      agent(l.getKey()).ifPresent(p -> {
        p.destroyForcibly();
        throw new AssertionError("the launcher of " + l.getKey() + " left its agent running, pid " + p.pid());
      });
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aNewVersionRollsOutInBatchesAndABrokenOneIsRevertedAndRolledBack() throws Exception {
    startServerWithNodes("n1", "n2");
    publish("2.0.0", good());
    publish("3.0.0", "#!/bin/sh\necho 'dayu-agent 3.0.0: broken on purpose' >&2\nexit 3\n");
    startLauncher("n1", WIDE_WINDOW);
    startLauncher("n2", WIDE_WINDOW);
    awaitRunning("n1", "");
    awaitRunning("n2", "");

    // (a) 2.0.0 reaches every node, one batch at a time; each node ends running it, registered.
    RolloutInfo deploy = rollout(RolloutKind.DEPLOY, "2.0.0");
    assertThat(deploy.getState()).as("%s", deploy).isEqualTo("SUCCEEDED");
    assertThat(deploy.getPhases(0).getBatchesCount()).isEqualTo(2);
    for (String host : List.of("n1", "n2")) {
      awaitRunning(host, "2.0.0");
      assertThat(files(host).state()).isEqualTo(new LauncherState("2.0.0", Optional.empty(), Optional.empty()));
    }
    assertThat(server.database().clusters().nodeModules(CLUSTER).get("n1")).containsEntry(LauncherFiles.MODULE, "2.0.0");

    // (b) 3.0.0 exits at start: the launcher goes back to 2.0.0, which registers again and reports
    // the failure; the rollout stops (no failure tolerated) and rolls the node back; the node of the
    // next batch is not touched.
    Map<String, Long> agentsBefore = Map.of("n1", agent("n1").orElseThrow().pid(), "n2", agent("n2").orElseThrow().pid());
    RolloutInfo bad = rollout(RolloutKind.UPGRADE, "3.0.0");
    assertThat(bad.getState()).as("%s", bad).isEqualTo("ROLLED_BACK");
    String first = bad.getTasks(0).getHost();
    String other = first.equals("n1") ? "n2" : "n1";
    assertThat(task(bad, first, "FORWARD").getDetail()).contains(
        "dayu-agent 3.0.0 failed: 3.0.0 exited with status 3 before it confirmed", "2.0.0 runs again");
    assertThat(task(bad, first, "ROLLBACK").getState()).isEqualTo("SUCCEEDED");
    assertThat(bad.getTasksList()).allMatch(t -> t.getHost().equals(first));
    awaitRunning(first, "2.0.0");
    assertThat(agent(first).orElseThrow().pid()).as("a new 2.0.0 agent").isNotEqualTo(agentsBefore.get(first));
    assertThat(files(first).state().confirmed()).isEqualTo("2.0.0");
    assertThat(files(first).state().failure()).hasValueSatisfying(f -> assertThat(f.version()).isEqualTo("3.0.0"));
    assertThat(agent(other).orElseThrow().pid()).isEqualTo(agentsBefore.get(other));
    assertThat(server.database().modules().clusterVersions(CLUSTER)).containsEntry(LauncherFiles.MODULE, "2.0.0");
  }

  @Test
  void aVersionThatNeverRegistersIsRevertedAfterTheWindowAndTheDeployRolledBack() throws Exception {
    startServerWithNodes("n1");
    // The agent runs, but follows a dayu-server that is not there: it never registers.
    publish("2.0.0", agentScript("\"$@\" --set dayu.agent.server=127.0.0.1:1"));
    startLauncher("n1", WINDOW);
    awaitRunning("n1", "");

    long started = System.nanoTime();
    RolloutInfo deploy = rollout(RolloutKind.DEPLOY, "2.0.0");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(10));
    assertThat(deploy.getState()).as("%s", deploy).isEqualTo("ROLLED_BACK");
    assertThat(task(deploy, "n1", "FORWARD").getDetail()).contains(
        "dayu-agent 2.0.0 failed: 2.0.0 did not confirm within 10000 ms", "the base version runs again");
    // The rollback of a deploy removes the module: the base agent deletes the version it had installed.
    assertThat(task(deploy, "n1", "ROLLBACK").getState()).isEqualTo("SUCCEEDED");
    awaitRunning("n1", "");
    assertThat(dir.resolve("n1/modules/dayu-agent")).doesNotExist();
    assertThat(server.database().clusters().nodeModules(CLUSTER).getOrDefault("n1", Map.of()))
        .doesNotContainKey(LauncherFiles.MODULE);
  }

  private void startServerWithNodes(String... hosts) {
    server = new DayuServerFixture(dir.resolve("server"), Map.of("dayu.rollouts.agent-grace", "30s"));
    server.dayu().addCluster(AddClusterRequest.newBuilder().setName(CLUSTER).build());
    for (String host : hosts) {
      server.dayu().addNode(AddNodeRequest.newBuilder().setCluster(CLUSTER).setHost(host).setRack("r1")
          .addRoles("worker").build());
    }
  }

  /** Runs this build's agent from the test's classpath, as a distribution's bin/dayu-agent does. */
  private static String agentScript(String args) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return "#!/bin/sh\nexec '" + java + "' -Xmx128m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp '"
        + System.getProperty("java.class.path") + "' " + DayuAgentMain.class.getName() + " " + args + "\n";
  }

  private static String good() {
    return agentScript("\"$@\"");
  }

  /** Publishes {@code version} of dayu-agent: the descriptor Feitian ships, and {@code script} as bin/dayu-agent. */
  private void publish(String version, String script) {
    String descriptor = Descriptors.feitianText(LauncherFiles.MODULE).replaceFirst("(?m)^version = \"[^\"]*\"",
        "version = \"" + version + "\"");
    Map<String, String> files = new LinkedHashMap<>();
    files.put(SamplePackages.DESCRIPTOR, descriptor);
    files.put("bin/dayu-agent", script);
    server.upload(LauncherFiles.MODULE, version, SamplePackages.tarGz(files));
  }

  private Path root(String host) {
    return dir.resolve(host).toAbsolutePath();
  }

  private LauncherFiles files(String host) {
    return LauncherFiles.under(root(host));
  }

  /** The node's launcher, running the base version from a distribution-like directory of its own. */
  private void startLauncher(String host, String window) throws IOException {
    Path base = dir.resolve(host + "-base");
    Path bin = Files.createDirectories(base.resolve("bin")).resolve("dayu-agent");
    Files.writeString(bin, good());
    Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
    launchers.put(host, ChildJvm.of(AgentLauncherMain.class).jvmArg("-Xmx32m").log(dir.resolve(host + ".log"))
        .args("--base", base.toString(), "--root", root(host).toString(), "--trial-window", window,
            "--stop-grace", "5s",
            "--set", "dayu.agent.server=" + server.target(), "--set", "dayu.agent.cluster=" + CLUSTER,
            "--set", "dayu.agent.host=" + host, "--set", "dayu.agent.reconnect-backoff=100ms",
            "--set", "dayu.agent.reconnect-backoff-max=1s")
        .start());
  }

  /**
   * Waits until the node's agent process is {@code version} ("" the base) and confirmed: it
   * registered with the server and wrote the confirmation of its own launch.
   */
  private void awaitRunning(String host, String version) {
    await().atMost(DEADLINE).until(() -> RunningAgent.of(files(host)).map(a -> a.confirmedAs(version)).orElse(false));
  }

  /** The agent process the node's launcher runs, from the pid file it keeps. */
  private Optional<ProcessHandle> agent(String host) {
    try {
      String[] words = Files.readString(files(host).agentPid()).trim().split(" ");
      return ProcessHandle.of(Long.parseLong(words[0])).filter(ProcessHandle::isAlive);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private RolloutInfo rollout(RolloutKind kind, String version) {
    RolloutInfo started = server.rollouts().startRollout(StartRolloutRequest.newBuilder().setCluster(CLUSTER)
        .setKind(kind).putTargets(LauncherFiles.MODULE, version)
        .setStrategy(RolloutStrategy.newBuilder().addBatches("1").setMinHealthy("0s").setDefaultMaxUnavailable("1"))
        .build());
    await().atMost(DEADLINE).until(() -> SETTLED.contains(get(started.getId()).getState()));
    return get(started.getId());
  }

  private RolloutInfo get(long id) {
    return server.rollouts().getRollout(GetRolloutRequest.newBuilder().setId(id).build());
  }

  private static NodeTaskInfo task(RolloutInfo r, String host, String purpose) {
    return r.getTasksList().stream().filter(t -> t.getHost().equals(host) && t.getPurpose().equals(purpose))
        .findFirst().orElseThrow(() -> new AssertionError("no " + purpose + " task on " + host + " in " + r));
  }
}
