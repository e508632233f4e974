package io.feitian.dayu.agent.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the modules' processes on the node: at most one process (tree) per module. Everything an
 * implementation knows is on disk or in the init system, so an agent restarted (or replaced by a
 * newer one) finds the processes its predecessor started.
 *
 * <p>{@link Supervisor} starts them itself, detached; {@link SystemdControl} hands them to systemd.
 * {@link #forHost} picks the one that fits the machine.
 */
public interface ProcessControl {
  /**
   * What to run for one version of a module, placeholders already filled in.
   *
   * @param home the version's directory, the process's working directory
   * @param systemdUnit the unit name the descriptor asks for, if any (only systemd uses it)
   */
  record Launch(String module, String version, Path home, List<String> command, Map<String, String> environment,
      Optional<String> systemdUnit) {
    public Launch {
      command = List.copyOf(command);
      environment = Map.copyOf(environment);
    }
  }

  /** The module's process now: its pid and the version it was started from. */
  record Running(long pid, String version) {}

  /**
   * Makes the launch's version run. Nothing when a process of that version already runs (a repeated
   * or resumed start never restarts a healthy process); a process of another version is stopped
   * first, TERM then KILL after {@code grace}. Returns what it did, for the step's report.
   */
  String start(Launch launch, Duration grace) throws IOException, InterruptedException;

  /** The module's process if one runs. */
  Optional<Running> running(String module) throws IOException, InterruptedException;

  /**
   * Stops the module's process (its whole tree): TERM, then KILL if it is still there after
   * {@code grace}. Returns what it stopped, empty when nothing ran.
   */
  Optional<Running> stop(String module, Duration grace) throws IOException, InterruptedException;

  /**
   * Forgets a module being removed, after {@link #stop}: whatever the implementation keeps outside
   * the module's directory goes (systemd's unit). The module's directory itself is the caller's.
   */
  void forget(String module) throws IOException, InterruptedException;

  /** The last lines of the module's error output, for failure messages; empty when there is none. */
  String errorTail(String module) throws IOException, InterruptedException;

  /**
   * systemd's when systemd is the init system ({@code /run/systemd/system} exists, as
   * sd_booted(3) tests), units written to {@code unitDir}; the agent's own supervision otherwise
   * (containers, machines without systemd).
   */
  static ProcessControl forHost(NodeLayout layout, Path unitDir) {
    return Files.isDirectory(Path.of("/run/systemd/system")) ? new SystemdControl(layout, unitDir) : new Supervisor(layout);
  }
}
