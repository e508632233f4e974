package io.feitian.dayu.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.dayu.launcher.LauncherState.Failure;
import io.feitian.dayu.launcher.LauncherState.Trial;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files between the launcher and the agent: read back as written, absent means nothing. */
class LauncherFilesTest {
  @TempDir
  Path root;

  @Test
  void stateSwitchAndConfirmationRoundTrip() throws Exception {
    LauncherFiles files = LauncherFiles.under(root);
    assertThat(files.state()).isEqualTo(LauncherState.INITIAL);
    assertThat(files.switchRequest()).isEmpty();
    assertThat(files.confirmation()).isEmpty();

    LauncherState s = new LauncherState("1.0.0", Optional.of(new Trial("2.0.0", 7)),
        Optional.of(new Failure("1.5.0", 6, "exited with status 3; a reason with = and : and\nlines")));
    files.save(s);
    assertThat(files.state()).isEqualTo(s);
    files.save(LauncherState.INITIAL);
    assertThat(files.state()).isEqualTo(LauncherState.INITIAL);

    files.requestSwitch(new LauncherFiles.Switch("", 8));
    assertThat(files.takeSwitchRequest()).contains(new LauncherFiles.Switch("", 8));
    assertThat(files.takeSwitchRequest()).isEmpty();

    files.confirm(1234);
    assertThat(files.confirmation()).contains(1234L);
    files.clearConfirmation();
    assertThat(files.confirmation()).isEmpty();
    assertThat(files.dir()).isEqualTo(root.resolve("launcher"));
  }
}
