package io.feitian.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.testkit.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `local up` where a local cluster already runs, in a CLI process of its own as from a shell. */
class LocalCommandTest {
  @TempDir
  Path dir;

  /**
   * Refused, and the running cluster keeps its state once the refused CLI has exited: its shutdown
   * hook, left behind by the failed start, used to "stop" the cluster at exit, deleting the running
   * one's state file, so that its own `local down` found no cluster and exited 1.
   */
  @Test
  void aSecondLocalUpIsRefusedAndLeavesTheRunningClusterAsItWas() throws Exception {
    // The running cluster: a state file as `local up` writes it, naming a live process.
    Process daemon = new ProcessBuilder("sleep", "600").start();
    try {
      Path state = dir.resolve("local-cluster.properties");
      Files.writeString(state, "up.pid=" + daemon.pid() + "\nzookeeper=127.0.0.1\\:1\npids=" + daemon.pid() + "\n");
      Path log = dir.resolve("cli.log");
      Process cli = ChildJvm.of(FeitianCli.class).args("local", "up", "--detach", "--dir", dir.toString())
          .log(log).start();
      assertThat(cli.waitFor(120, TimeUnit.SECONDS)).isTrue();
      String printed = Files.readString(log);
      assertThat(cli.exitValue()).as(printed).isEqualTo(1);
      assertThat(printed).contains("already running").contains("pid " + daemon.pid()).doesNotContain("stopping");
      assertThat(state).exists();
      assertThat(daemon.isAlive()).isTrue();
    } finally {
      daemon.destroyForcibly();
    }
  }
}
