package io.feitian.dayu.launcher;

import io.feitian.dayu.launcher.LauncherState.Failure;
import io.feitian.dayu.launcher.LauncherState.Trial;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The decisions of dayu-agent-launcher, without I/O: which agent version runs, when a new one is
 * on trial, and when to go back. Inputs carry the time ({@code now}, milliseconds on any monotonic
 * clock); each returns the {@link Action}s the shell carries out in order.
 *
 * <pre>
 *            switch(v)                          confirmed(launch of v)
 *  RUNNING ─────────────▶ TRIAL(v, deadline) ─────────────────────────▶ RUNNING(v)
 *  REVERTED ────────────▶      │ v exits, or the deadline passes
 *                              ▼
 *                          REVERTED(previous runs again, failure recorded)
 * </pre>
 *
 * <p>Invariant: exactly one agent runs while the launcher runs, and only a confirmed version is
 * started when the launcher starts. A trial is saved before its agent starts, so a launcher that
 * dies during a trial finds it at its next start and goes back to the confirmed version. An agent
 * that exits outside a trial ends the launcher with its status, so systemd restarts both as it
 * restarted the agent before there was a launcher.
 */
public final class LauncherCore {
  /** What the launcher is doing. */
  public enum Phase { NEW, RUNNING, TRIAL, REVERTED, STOPPED }

  /** What the shell must do. */
  public sealed interface Action {}

  /** Save the state (atomically) before anything that follows. */
  public record Save(LauncherState state) implements Action {}

  /** Start {@code version}'s agent, telling it {@code launchId}, which its confirmation must carry. */
  public record Start(String version, long launchId) implements Action {}

  /** Stop the running agent (TERM, KILL after the grace) and wait until it is gone. */
  public record Stop(String reason) implements Action {}

  /** End the launcher with this status. */
  public record Exit(int status) implements Action {}

  private final long windowMillis;
  private LauncherState state;
  private Phase phase = Phase.NEW;
  private String running = LauncherState.BASE;
  private long launchId;
  private long deadline;

  /**
   * @param saved what the launcher's previous life saved ({@link LauncherState#INITIAL} on a new node)
   * @param windowMillis how long a new version has to confirm
   * @param firstLaunchId the first launch's id; each later launch adds one (pick it so that a
   *     confirmation left by an earlier life of the launcher cannot match, e.g. the wall-clock time)
   */
  public LauncherCore(LauncherState saved, long windowMillis, long firstLaunchId) {
    if (windowMillis <= 0) {
      throw new IllegalArgumentException("windowMillis must be positive, got " + windowMillis);
    }
    this.state = saved;
    this.windowMillis = windowMillis;
    this.launchId = firstLaunchId - 1;
  }

  /** The launcher starts: the confirmed version runs; a trial left by a launcher that died counts as failed. */
  public List<Action> start(long now) {
    requirePhase(Phase.NEW);
    List<Action> out = new ArrayList<>();
    if (state.trial().isPresent()) {
      state = failed("the launcher restarted before " + LauncherState.label(state.trial().get().version())
          + " confirmed");
      out.add(new Save(state));
      phase = Phase.REVERTED;
    } else {
      phase = Phase.RUNNING;
    }
    out.add(launch(state.confirmed()));
    return out;
  }

  /**
   * The running agent asks for {@code version} (its rollout {@code rollout}'s start step). Ignored
   * during a trial (one switch at a time) and when that version runs already.
   */
  public List<Action> switchRequested(long now, String version, long rollout) {
    if ((phase != Phase.RUNNING && phase != Phase.REVERTED) || version.equals(running)) {
      return List.of();
    }
    state = new LauncherState(state.confirmed(), Optional.of(new Trial(version, rollout)), Optional.empty());
    phase = Phase.TRIAL;
    deadline = now + windowMillis;
    return List.of(new Save(state), new Stop("switching from " + LauncherState.label(running) + " to "
        + LauncherState.label(version)), launch(version));
  }

  /** An agent confirmed launch {@code id}: if it is the one on trial, its version is the confirmed one. */
  public List<Action> confirmed(long now, long id) {
    if (phase != Phase.TRIAL || id != launchId) {
      return List.of();
    }
    state = new LauncherState(running, Optional.empty(), Optional.empty());
    phase = Phase.RUNNING;
    return List.of(new Save(state));
  }

  /** The agent exited by itself with {@code status} (not stopped by a {@link Stop}). */
  public List<Action> childExited(long now, int status) {
    if (phase == Phase.TRIAL) {
      return revert(false, LauncherState.label(running) + " exited with status " + status + " before it confirmed");
    }
    if (phase == Phase.RUNNING || phase == Phase.REVERTED) {
      phase = Phase.STOPPED;
      return List.of(new Exit(status));
    }
    return List.of();
  }

  /** Time passes: a trial past its deadline is stopped and reverted. */
  public List<Action> tick(long now) {
    if (phase == Phase.TRIAL && now >= deadline) {
      return revert(true, LauncherState.label(running) + " did not confirm within " + windowMillis
          + " ms (it must register with dayu-server and pass its checks)");
    }
    return List.of();
  }

  /** The launcher is asked to stop (SIGTERM): its agent stops with it. */
  public List<Action> stop(long now) {
    if (phase == Phase.STOPPED) {
      return List.of();
    }
    phase = Phase.STOPPED;
    return List.of(new Stop("the launcher stops"), new Exit(0));
  }

  public Phase phase() {
    return phase;
  }

  public LauncherState state() {
    return state;
  }

  /** The version of the agent started last. */
  public String running() {
    return running;
  }

  /** When the trial under way must be confirmed by. */
  public long deadline() {
    return deadline;
  }

  private List<Action> revert(boolean stop, String reason) {
    state = failed(reason);
    phase = Phase.REVERTED;
    List<Action> out = new ArrayList<>();
    if (stop) {
      out.add(new Stop(reason));
    }
    out.add(new Save(state));
    out.add(launch(state.confirmed()));
    return out;
  }

  private LauncherState failed(String reason) {
    Trial t = state.trial().orElseThrow();
    return new LauncherState(state.confirmed(), Optional.empty(), Optional.of(new Failure(t.version(), t.rollout(),
        reason + "; " + LauncherState.label(state.confirmed()) + " runs again")));
  }

  private Start launch(String version) {
    running = version;
    return new Start(version, ++launchId);
  }

  private void requirePhase(Phase expected) {
    if (phase != expected) {
      throw new IllegalStateException("the launcher is " + phase + ", not " + expected);
    }
  }
}
