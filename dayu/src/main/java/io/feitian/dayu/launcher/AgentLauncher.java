package io.feitian.dayu.launcher;

import io.feitian.common.files.SafeFiles;
import io.feitian.dayu.launcher.LauncherCore.Action;
import io.feitian.dayu.launcher.LauncherCore.Exit;
import io.feitian.dayu.launcher.LauncherCore.Save;
import io.feitian.dayu.launcher.LauncherCore.Start;
import io.feitian.dayu.launcher.LauncherCore.Stop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The shell around {@link LauncherCore}: starts the agent of a version as a child process, watches
 * it, the switch requests and the confirmations on disk ({@link LauncherFiles}) every
 * {@link #POLL}, and carries out the core's actions. One thread does all of it; the shutdown hook
 * (SIGTERM) takes the same lock.
 *
 * <p>A version's agent is {@code HOME/bin/dayu-agent} with the launcher's arguments and
 * {@code --set dayu.agent.root=ROOT}, where HOME is the launcher's own distribution for the base
 * version and {@code ROOT/modules/dayu-agent/VERSION} (installed by the agent's {@code install}
 * step) for the others. It inherits the launcher's output and environment, plus
 * {@code FEITIAN_DAYU_AGENT_VERSION} (its label, "" for the base) and {@code FEITIAN_DAYU_LAUNCH_ID}
 * (which its confirmation names).
 */
public final class AgentLauncher {
  public static final String VERSION_ENV = "FEITIAN_DAYU_AGENT_VERSION";
  public static final String LAUNCH_ID_ENV = "FEITIAN_DAYU_LAUNCH_ID";
  static final Duration POLL = Duration.ofMillis(100);

  private final Path base;
  private final Path root;
  private final List<String> agentArgs;
  private final Duration stopGrace;
  private final LauncherFiles files;
  private final LauncherCore core;
  private final long t0 = System.nanoTime();
  private Process child;
  private Integer exitStatus;

  /**
   * @param base the distribution the launcher runs from (the base version's home)
   * @param root the agent's root ({@code dayu.agent.root})
   * @param window how long a new version has to confirm
   */
  public AgentLauncher(Path base, Path root, List<String> agentArgs, Duration window, Duration stopGrace)
      throws IOException {
    this.base = base.toAbsolutePath();
    this.root = root.toAbsolutePath();
    this.agentArgs = List.copyOf(agentArgs);
    this.stopGrace = stopGrace;
    this.files = LauncherFiles.under(this.root);
    this.core = new LauncherCore(files.state(), window.toMillis(), System.currentTimeMillis());
  }

  /** Runs until the agent exits outside a trial or {@link #stop} is called; returns the exit status. */
  public int run() throws IOException, InterruptedException {
    synchronized (this) {
      stopLeftover();
      files.takeSwitchRequest(); // a request the previous life did not take is stale
      apply(core.start(now()));
      notifySystemd("--ready", "--status=running dayu-agent " + LauncherState.label(core.running()));
    }
    while (true) {
      synchronized (this) {
        if (exitStatus != null) {
          return exitStatus;
        }
        if (child != null && !child.isAlive()) {
          apply(core.childExited(now(), child.exitValue()));
        }
        Optional<LauncherFiles.Switch> request = files.takeSwitchRequest();
        if (request.isPresent()) {
          apply(core.switchRequested(now(), request.get().version(), request.get().rollout()));
        }
        Optional<Long> confirmation = files.confirmation();
        if (confirmation.isPresent()) {
          apply(core.confirmed(now(), confirmation.get()));
        }
        apply(core.tick(now()));
        if (exitStatus != null) {
          return exitStatus;
        }
      }
      TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
    }
  }

  /** SIGTERM: stop the agent, then end. */
  public synchronized void stop() {
    try {
      apply(core.stop(now()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private long now() {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  private void apply(List<Action> actions) throws IOException, InterruptedException {
    for (Action a : actions) {
      if (a instanceof Save s) {
        files.save(s.state());
      } else if (a instanceof Stop s) {
        // The reason names the versions: by now the core's running version may be the next one.
        log("stopping the agent: " + s.reason());
        stopChild();
      } else if (a instanceof Start s) {
        startChild(s);
      } else if (a instanceof Exit e) {
        exitStatus = e.status();
      }
    }
  }

  private void startChild(Start s) throws IOException, InterruptedException {
    files.clearConfirmation();
    Path home = s.version().isEmpty() ? base
        : root.resolve("modules").resolve(LauncherFiles.MODULE).resolve(s.version());
    List<String> command = new ArrayList<>();
    command.add(home.resolve("bin").resolve("dayu-agent").toString());
    command.addAll(agentArgs);
    command.add("--set");
    command.add("dayu.agent.root=" + root);
    ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile()).inheritIO();
    // systemd hears from the launcher only: an agent being replaced would say STOPPING=1, which
    // systemd takes for the whole unit stopping.
    pb.environment().remove("NOTIFY_SOCKET");
    pb.environment().put(VERSION_ENV, s.version());
    pb.environment().put(LAUNCH_ID_ENV, Long.toString(s.launchId()));
    log("starting dayu-agent " + LauncherState.label(s.version()) + " from " + home + " (launch " + s.launchId()
        + (core.phase() == LauncherCore.Phase.TRIAL ? ", on trial" : "") + ")");
    try {
      child = pb.start();
      SafeFiles.writeAtomically(files.agentPid(), child.pid() + " "
          + child.info().startInstant().map(Instant::toEpochMilli).orElse(0L) + "\n");
    } catch (IOException e) {
      // Nothing to run (a missing or broken version): the same as an agent that exits at once.
      log("cannot start " + command.get(0) + ": " + e.getMessage());
      child = null;
      apply(core.childExited(now(), 127));
    }
  }

  private void stopChild() throws InterruptedException {
    if (child == null) {
      return;
    }
    stopProcess(child.toHandle());
    child = null;
  }

  private void stopProcess(ProcessHandle p) throws InterruptedException {
    p.destroy();
    try {
      p.onExit().get(stopGrace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
      p.destroyForcibly();
      try {
        p.onExit().get(stopGrace.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException ignored) {
        log("agent pid " + p.pid() + " did not end after SIGKILL");
      }
    }
  }

  /** An agent left running by a launcher that was killed: stopped, so that one agent runs. */
  private void stopLeftover() throws IOException, InterruptedException {
    Path pidFile = files.agentPid();
    if (!Files.isRegularFile(pidFile)) {
      return;
    }
    String[] words = Files.readString(pidFile).trim().split(" ");
    try {
      long pid = Long.parseLong(words[0]);
      long started = Long.parseLong(words[1]);
      Optional<ProcessHandle> p = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
          .filter(h -> h.info().startInstant().map(Instant::toEpochMilli).orElse(-1L) == started);
      if (p.isPresent()) {
        log("stopping the agent an earlier launcher left running, pid " + pid);
        stopProcess(p.get());
      }
    } catch (RuntimeException e) {
      log("ignoring " + pidFile + ": " + e.getMessage());
    }
    Files.deleteIfExists(pidFile);
  }

  /** Under systemd (Type=notify): tells it through systemd-notify, as the daemons do. */
  private static void notifySystemd(String... args) throws InterruptedException {
    if (System.getenv("NOTIFY_SOCKET") == null) {
      return;
    }
    List<String> cmd = new ArrayList<>(List.of("systemd-notify", "--pid=" + ProcessHandle.current().pid()));
    cmd.addAll(List.of(args));
    try {
      new ProcessBuilder(cmd).inheritIO().start().waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      log("systemd-notify failed: " + e.getMessage());
    }
  }

  static void log(String message) {
    System.err.println("dayu-agent-launcher " + Instant.now() + ": " + message);
  }
}
