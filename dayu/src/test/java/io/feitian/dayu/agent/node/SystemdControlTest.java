package io.feitian.dayu.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.dayu.agent.node.ProcessControl.Launch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unit SystemdControl writes (containers run no systemd, so starting and stopping are not
 * tested here): its text, and {@code systemd-analyze verify} accepting it without a warning where
 * that tool works.
 */
class SystemdControlTest {
  private static final Launch LAUNCH = new Launch("m", "1.2.0", Path.of("/opt/m/1.2.0"),
      List.of("/bin/sh", "-c", "echo \"$HOME\" 100% done"), Map.of("B", "two words", "A", "$NOT_EXPANDED"),
      Optional.empty());

  @Test
  void theUnitRecordsTheVersionAndQuotesEveryWord() {
    assertThat(SystemdControl.unitText(LAUNCH)).contains(
        "X-Dayu-Version=1.2.0\n",
        "WorkingDirectory=/opt/m/1.2.0\n",
        "ExecStart=\"/bin/sh\" \"-c\" \"echo \\\"$$HOME\\\" 100%% done\"\n",
        "Environment=\"A=$NOT_EXPANDED\"\nEnvironment=\"B=two words\"\n");
  }

  @Test
  void systemdAnalyzeVerifiesTheUnit(@TempDir Path dir) throws Exception {
    Path probe = dir.resolve("dayu-probe.service");
    Files.writeString(probe, "[Unit]\nDescription=probe\n[Service]\nExecStart=/bin/sh -c true\n");
    Assumptions.assumeTrue(verify(probe).equals(new Commands.Outcome(0, "")),
        "systemd-analyze verify does not work here (a trivial unit fails)");
    Files.createDirectories(dir.resolve("home"));
    Path unit = dir.resolve("dayu-m.service");
    Files.writeString(unit, SystemdControl.unitText(new Launch("m", "1.2.0", dir.resolve("home"), LAUNCH.command(),
        LAUNCH.environment(), Optional.empty())));

    assertThat(verify(unit)).isEqualTo(new Commands.Outcome(0, ""));
  }

  private static Commands.Outcome verify(Path unit) throws Exception {
    try {
      return Commands.run(List.of("systemd-analyze", "verify", "--man=no", unit.toString()), Duration.ofSeconds(30));
    } catch (java.io.IOException e) {
      Assumptions.abort("systemd-analyze is not installed");
      throw e;
    }
  }
}
