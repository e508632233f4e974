package io.feitian.dayu.agent.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.common.files.SafeFiles;
import io.feitian.dayu.agent.node.ProcessControl.Launch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real module process killed with SIGKILL under a supervisor and its restarter; the restarter's
 * clock is the test's, so the pauses are decided, not waited for.
 */
class RestarterTest {
  private static final Duration LONG = Duration.ofSeconds(10);

  @TempDir Path dir;
  private NodeLayout layout;
  private Supervisor supervisor;
  private Restarter restarter;
  private final AtomicLong clock = new AtomicLong(1_000_000);

  @BeforeEach
  void setUp() throws Exception {
    layout = new NodeLayout(dir.resolve("agent"));
    supervisor = new Supervisor(layout);
    Path home = Files.createDirectories(dir.resolve("home dir")); // a space: the launch file keeps it
    Path script = home.resolve("run.sh");
    Files.writeString(script, "#!/bin/sh\necho \"up $GREETING $1\" >&2\nexec sleep 30\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    supervisor.start(new Launch("m", "1.0.0", home, List.of(script.toString(), "a b=c"), Map.of("GREETING", "hi"),
        Optional.empty()), LONG);
    restarter = new Restarter(supervisor, layout, new RestartBackoff(1_000, 4_000, 60_000), clock::get)
        .start(Duration.ofMillis(20));
  }

  @AfterEach
  void tearDown() throws Exception {
    restarter.close();
    supervisor.stop("m", Duration.ofSeconds(1));
  }

  private long pid() throws Exception {
    return supervisor.running("m").map(ProcessControl.Running::pid).orElse(-1L);
  }

  private static void kill9(long pid) throws Exception {
    assertThat(Commands.run(List.of("kill", "-9", Long.toString(pid)), LONG).ok()).isTrue();
  }

  private String errors() throws Exception {
    return Files.readString(layout.stderr("m"));
  }

  /** Waits until the restarter has looked at least {@code n} more times. */
  private void waitForLooks(int n) {
    long target = restarter.looks() + n;
    await().atMost(LONG).until(() -> restarter.looks() >= target);
  }

  @Test
  void aKilledProcessComesBackAfterItsPauseEachRowLonger() throws Exception {
    long first = pid();
    kill9(first);
    await().atMost(LONG).until(() -> errors().contains("restart 1 in a row in 1000 ms"));
    waitForLooks(3);
    assertThat(pid()).as("not before its pause").isEqualTo(-1L);

    clock.addAndGet(1_000);
    await().atMost(LONG).until(() -> pid() > 0);
    long second = pid();
    assertThat(second).isNotEqualTo(first);
    assertThat(supervisor.running("m").orElseThrow().version()).isEqualTo("1.0.0");
    await().atMost(LONG).until(() -> errors().contains("restarted 1.0.0 (pid " + first + " ended), started pid "
        + second + " (restart 1 in a row)"));
    // The same command, arguments and environment as the first start.
    await().atMost(LONG).until(() -> errors().split("up hi a b=c", -1).length == 3);

    clock.addAndGet(500); // up half a second only: the next restart waits twice as long
    kill9(second);
    await().atMost(LONG).until(() -> errors().contains("restart 2 in a row in 2000 ms"));
    clock.addAndGet(2_000);
    await().atMost(LONG).until(() -> pid() > 0 && pid() != second);
  }

  @Test
  void aProcessTheAgentStoppedStaysStopped() throws Exception {
    supervisor.stop("m", LONG);
    clock.addAndGet(100_000);
    waitForLooks(5);

    assertThat(supervisor.running("m")).isEmpty();
    assertThat(errors()).doesNotContain("dayu-agent");
  }

  @Test
  void aProcessStoppedWhileItsRestartWaitsIsNotRestarted() throws Exception {
    kill9(pid());
    await().atMost(LONG).until(() -> errors().contains("restart 1 in a row"));
    supervisor.stop("m", LONG); // a stop step came: the agent wants it stopped now
    clock.addAndGet(100_000);
    waitForLooks(5);

    assertThat(supervisor.running("m")).isEmpty();
    assertThat(errors()).doesNotContain("restarted");
  }

  @Test
  void aRemovedModuleIsNotRestarted() throws Exception {
    supervisor.stop("m", LONG);
    SafeFiles.deleteTree(layout.moduleDir("m"));
    clock.addAndGet(100_000);
    waitForLooks(5);

    assertThat(supervisor.running("m")).isEmpty();
    assertThat(layout.moduleDir("m")).doesNotExist();
  }
}
