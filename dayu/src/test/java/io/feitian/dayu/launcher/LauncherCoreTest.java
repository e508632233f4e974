package io.feitian.dayu.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.dayu.launcher.LauncherCore.Exit;
import io.feitian.dayu.launcher.LauncherCore.Phase;
import io.feitian.dayu.launcher.LauncherCore.Save;
import io.feitian.dayu.launcher.LauncherCore.Start;
import io.feitian.dayu.launcher.LauncherCore.Stop;
import io.feitian.dayu.launcher.LauncherState.Failure;
import io.feitian.dayu.launcher.LauncherState.Trial;
import io.feitian.testkit.PureCore;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The launcher's decisions, time passed in: confirmation, reverts by exit and by deadline, restarts. */
class LauncherCoreTest {
  private static final long WINDOW = 5_000;

  private static LauncherCore started(LauncherState saved) {
    LauncherCore core = new LauncherCore(saved, WINDOW, 100);
    core.start(0);
    return core;
  }

  @Test
  void aNewNodeRunsTheBaseVersionAndAConfirmedOneAfterwards() {
    LauncherCore fresh = new LauncherCore(LauncherState.INITIAL, WINDOW, 100);
    assertThat(fresh.start(0)).containsExactly(new Start("", 100));
    assertThat(fresh.phase()).isEqualTo(Phase.RUNNING);

    LauncherCore later = new LauncherCore(new LauncherState("2.0.0", Optional.empty(), Optional.empty()), WINDOW, 7);
    assertThat(later.start(0)).containsExactly(new Start("2.0.0", 7));
  }

  @Test
  void aSwitchIsSavedBeforeTheOldAgentStopsAndIsConfirmedByItsOwnLaunchOnly() {
    LauncherCore core = started(LauncherState.INITIAL);
    LauncherState trial = new LauncherState("", Optional.of(new Trial("2.0.0", 9)), Optional.empty());
    assertThat(core.switchRequested(1_000, "2.0.0", 9)).containsExactly(new Save(trial),
        new Stop("switching from the base version to 2.0.0"), new Start("2.0.0", 101));
    assertThat(core.phase()).isEqualTo(Phase.TRIAL);
    assertThat(core.deadline()).isEqualTo(1_000 + WINDOW);

    assertThat(core.confirmed(2_000, 100)).as("the base agent's launch is not the trial's").isEmpty();
    assertThat(core.switchRequested(2_000, "3.0.0", 10)).as("one switch at a time").isEmpty();
    assertThat(core.confirmed(2_500, 101)).containsExactly(
        new Save(new LauncherState("2.0.0", Optional.empty(), Optional.empty())));
    assertThat(core.phase()).isEqualTo(Phase.RUNNING);
    assertThat(core.tick(1_000 + WINDOW)).as("a confirmed version has no deadline").isEmpty();
    assertThat(core.switchRequested(7_000, "2.0.0", 11)).as("it runs already").isEmpty();
  }

  @Test
  void aVersionThatExitsBeforeConfirmingIsRevertedAndTheFailureKeptForTheAgentToReport() {
    LauncherCore core = started(new LauncherState("1.0.0", Optional.empty(), Optional.empty()));
    core.switchRequested(0, "2.0.0", 4);
    var actions = core.childExited(300, 3);
    Failure failure = new Failure("2.0.0", 4, "2.0.0 exited with status 3 before it confirmed; 1.0.0 runs again");
    assertThat(actions).containsExactly(new Save(new LauncherState("1.0.0", Optional.empty(), Optional.of(failure))),
        new Start("1.0.0", 102));
    assertThat(core.phase()).isEqualTo(Phase.REVERTED);
    assertThat(core.running()).isEqualTo("1.0.0");
    assertThat(core.tick(WINDOW * 2)).as("the reverted version has no deadline").isEmpty();

    // A later switch (another rollout) clears the failure.
    assertThat(core.switchRequested(20_000, "2.0.1", 5).get(0))
        .isEqualTo(new Save(new LauncherState("1.0.0", Optional.of(new Trial("2.0.1", 5)), Optional.empty())));
  }

  @Test
  void aVersionThatNeverConfirmsIsStoppedAtTheDeadlineAndReverted() {
    LauncherCore core = started(LauncherState.INITIAL);
    core.switchRequested(1_000, "2.0.0", 4);
    assertThat(core.tick(1_000 + WINDOW - 1)).isEmpty();
    String reason = "2.0.0 did not confirm within 5000 ms (it must register with dayu-server and pass its checks)";
    assertThat(core.tick(1_000 + WINDOW)).containsExactly(new Stop(reason),
        new Save(new LauncherState("", Optional.empty(), Optional.of(new Failure("2.0.0", 4,
            reason + "; the base version runs again")))),
        new Start("", 102));
    assertThat(core.confirmed(1_000 + WINDOW + 1, 101)).as("too late").isEmpty();
    assertThat(core.state().confirmed()).isEmpty();
  }

  @Test
  void aLauncherThatDiedDuringATrialGoesBackToTheConfirmedVersion() {
    LauncherState saved = new LauncherState("1.0.0", Optional.of(new Trial("2.0.0", 4)), Optional.empty());
    LauncherCore core = new LauncherCore(saved, WINDOW, 50);
    assertThat(core.start(0)).containsExactly(new Save(new LauncherState("1.0.0", Optional.empty(), Optional.of(
        new Failure("2.0.0", 4, "the launcher restarted before 2.0.0 confirmed; 1.0.0 runs again")))),
        new Start("1.0.0", 50));
    assertThat(core.phase()).isEqualTo(Phase.REVERTED);
  }

  @Test
  void aConfirmedAgentThatExitsEndsTheLauncherWithItsStatusAndAStopStopsTheAgent() {
    LauncherCore core = started(LauncherState.INITIAL);
    assertThat(core.childExited(10, 1)).containsExactly(new Exit(1));
    assertThat(core.phase()).isEqualTo(Phase.STOPPED);
    assertThat(core.stop(11)).isEmpty();

    LauncherCore other = started(LauncherState.INITIAL);
    other.switchRequested(0, "2.0.0", 1);
    assertThat(other.stop(5)).containsExactly(new Stop("the launcher stops"), new Exit(0));
    assertThat(other.state().trial()).as("still saved: the next start reverts it").isPresent();
    assertThat(other.childExited(6, 143)).isEmpty();
  }

  @Test
  void theCoreIsPure() {
    PureCore.checkClass(LauncherCore.class, "the launcher's core decides; AgentLauncher starts and watches processes",
        "java.io..", "java.nio..");
    PureCore.checkClass(LauncherState.class, "the state is a value; LauncherFiles reads and writes it",
        "java.io..", "java.nio..");
  }

  @Test
  void refusesAWindowOfZeroAndASecondStart() {
    assertThatThrownBy(() -> new LauncherCore(LauncherState.INITIAL, 0, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("windowMillis");
    LauncherCore core = started(LauncherState.INITIAL);
    assertThatThrownBy(() -> core.start(1)).isInstanceOf(IllegalStateException.class);
  }
}
