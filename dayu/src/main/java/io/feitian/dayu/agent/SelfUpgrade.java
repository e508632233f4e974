package io.feitian.dayu.agent;

import io.feitian.dayu.descriptor.StepKind;
import io.feitian.dayu.launcher.AgentLauncher;
import io.feitian.dayu.launcher.LauncherFiles;
import io.feitian.dayu.launcher.LauncherState;
import io.feitian.dayu.launcher.LauncherState.Failure;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of its own upgrades (module {@value LauncherFiles#MODULE}), when
 * dayu-agent-launcher runs it: which version this process is, its confirmation once it registered
 * with dayu-server and passed its checks, and the steps of the agent's module that cannot be done
 * like another module's, because the process doing them is the module:
 * <ul>
 *   <li>{@code start}: asks the launcher to switch to the task's version (the launcher stops this
 *       agent and starts that one on trial); nothing when this agent is that version;
 *   <li>{@code health-check}: passes when this agent is the task's version and confirmed; fails
 *       with the launcher's reason when the launcher reverted that version for this rollout;
 *   <li>{@code stop}: nothing (the launcher stops the agent it replaces); in a removal, a switch
 *       back to the base version.
 * </ul>
 * The other steps (fetch, verify, install, configure) are the node side's, as for any module.
 */
final class SelfUpgrade {
  private static final Logger log = LoggerFactory.getLogger(SelfUpgrade.class);
  private static final long POLL_MILLIS = 100;

  private final LauncherFiles files;
  private final String version;
  private final long launchId;
  private final CountDownLatch confirmed = new CountDownLatch(1);

  SelfUpgrade(LauncherFiles files, String version, long launchId) {
    this.files = files;
    this.version = version;
    this.launchId = launchId;
  }

  /** Present when dayu-agent-launcher started this agent (it sets the launch id in the environment). */
  static Optional<SelfUpgrade> fromEnvironment(Map<String, String> env, Path root) {
    String id = env.get(AgentLauncher.LAUNCH_ID_ENV);
    if (id == null || id.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(new SelfUpgrade(LauncherFiles.under(root), env.getOrDefault(AgentLauncher.VERSION_ENV, ""),
        Long.parseLong(id.trim())));
  }

  /** This agent's version label; {@link LauncherState#BASE} for the distribution's own. */
  String version() {
    return version;
  }

  /**
   * The agent registered, its Watch is open and it passed its checks: tells the launcher, which
   * ends the trial (once; later sessions change nothing).
   */
  void confirm() {
    if (confirmed.getCount() == 0) {
      return;
    }
    try {
      files.confirm(launchId);
      confirmed.countDown();
      log.info("dayu-agent {} confirmed to the launcher (launch {})", LauncherState.label(version), launchId);
    } catch (IOException e) {
      log.warn("cannot confirm to the launcher in {}: {}", files.dir(), e.toString());
    }
  }

  /** The outcome of one of the agent module's own steps, or empty for a step the node side does. */
  Optional<NodeSteps.Outcome> step(StepKind kind, boolean removal, String to, long rollout,
      Duration timeout) throws InterruptedException {
    try {
      if (removal) {
        // Back to the base version; once it runs, the removal's last step (the node side's) deletes the files.
        return version.isEmpty() ? Optional.empty() : Optional.of(switchTo(LauncherState.BASE, rollout));
      }
      return switch (kind) {
        case START -> Optional.of(switchTo(to, rollout));
        case HEALTH_CHECK -> Optional.of(check(to, rollout, timeout));
        case STOP -> Optional.of(new NodeSteps.Outcome(true, "nothing: the launcher stops the agent it replaces"));
        case DRAIN -> Optional.of(new NodeSteps.Outcome(true, "nothing to drain"));
        default -> Optional.empty();
      };
    } catch (IOException e) {
      return Optional.of(new NodeSteps.Outcome(false, "cannot talk to the launcher in " + files.dir() + ": " + e));
    }
  }

  private NodeSteps.Outcome switchTo(String target, long rollout) throws IOException {
    if (target.equals(version)) {
      return new NodeSteps.Outcome(true, "dayu-agent " + LauncherState.label(target) + " runs");
    }
    Optional<Failure> failed = failure(target, rollout);
    if (failed.isPresent()) {
      return new NodeSteps.Outcome(false, "dayu-agent " + LauncherState.label(target) + " failed: "
          + failed.get().reason());
    }
    files.requestSwitch(new LauncherFiles.Switch(target, rollout));
    log.info("asked the launcher to switch from {} to {} (rollout {})", LauncherState.label(version),
        LauncherState.label(target), rollout);
    return new NodeSteps.Outcome(true, "asked dayu-agent-launcher to switch from " + LauncherState.label(version)
        + " to " + LauncherState.label(target));
  }

  /**
   * Passes once this agent is {@code target} and confirmed. An agent of another version waits: the
   * launcher is about to replace it (and its successor reports), or has reverted the target, which
   * the agent it went back to reports.
   */
  private NodeSteps.Outcome check(String target, long rollout, Duration timeout) throws IOException,
      InterruptedException {
    if (target.equals(version)) {
      if (confirmed.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return new NodeSteps.Outcome(true, "dayu-agent " + LauncherState.label(target)
            + " registered with dayu-server and confirmed to the launcher");
      }
      return new NodeSteps.Outcome(false, "dayu-agent " + LauncherState.label(target) + " not confirmed after "
          + timeout.toMillis() + " ms");
    }
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      Optional<Failure> failed = failure(target, rollout);
      if (failed.isPresent()) {
        return new NodeSteps.Outcome(false, "dayu-agent " + LauncherState.label(target) + " failed: "
            + failed.get().reason());
      }
      TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
    }
    return new NodeSteps.Outcome(false, "dayu-agent " + LauncherState.label(version) + " still runs, not "
        + LauncherState.label(target) + ", after " + timeout.toMillis() + " ms");
  }

  /** The launcher's record of a reverted trial of {@code target} in this rollout. */
  private Optional<Failure> failure(String target, long rollout) throws IOException {
    return files.state().failure().filter(f -> f.version().equals(target) && f.rollout() == rollout);
  }
}
