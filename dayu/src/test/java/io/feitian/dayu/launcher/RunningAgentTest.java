package io.feitian.dayu.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real process standing for the agent: what its pid file, environment and the confirmation say. */
class RunningAgentTest {
  @TempDir
  Path root;

  @Test
  void readsTheVersionAndLaunchFromTheAgentsEnvironmentAndTheConfirmation() throws Exception {
    LauncherFiles files = LauncherFiles.under(root);
    assertThat(RunningAgent.of(files)).as("no pid file").isEmpty();

    ProcessBuilder pb = new ProcessBuilder("sleep", "60");
    pb.environment().put(AgentLauncher.VERSION_ENV, "2.0.0");
    pb.environment().put(AgentLauncher.LAUNCH_ID_ENV, "5");
    Process p = pb.start();
    try {
      Files.createDirectories(files.dir());
      Files.writeString(files.agentPid(), p.pid() + " 0\n");
      RunningAgent a = RunningAgent.of(files).orElseThrow();
      assertThat(a.pid()).isEqualTo(p.pid());
      assertThat(a.version()).isEqualTo("2.0.0");
      assertThat(a.launchId()).isEqualTo("5");
      assertThat(a.confirmedAs("2.0.0")).as("not confirmed yet").isFalse();

      files.confirm(4);
      assertThat(RunningAgent.of(files).orElseThrow().confirmedAs("2.0.0")).as("another launch confirmed").isFalse();
      files.confirm(5);
      assertThat(RunningAgent.of(files).orElseThrow().confirmedAs("2.0.0")).isTrue();
      assertThat(RunningAgent.of(files).orElseThrow().confirmedAs("")).as("not the base").isFalse();
    } finally {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    assertThat(RunningAgent.of(files)).as("the process ended").isEmpty();
  }
}
