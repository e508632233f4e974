package io.feitian.dayu.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The agent a node's launcher runs, seen from outside both: its pid (the launcher's
 * {@code agent.pid}), its version label and launch id (its environment, as the launcher set them:
 * {@link AgentLauncher#VERSION_ENV}, {@link AgentLauncher#LAUNCH_ID_ENV}), and the launch id the
 * last confirmation names. What tests and benchmarks watch while agents replace themselves. Linux
 * only ({@code /proc/PID/environ}), by the agent's user or root.
 *
 * @param version the label ("" the base), "?" when the environment does not say
 * @param launchId "?" when the environment does not say
 */
public record RunningAgent(long pid, String version, String launchId, Optional<Long> confirmed) {
  /**
   * The agent running now, if any: empty when there is no pid file or no such live process, and
   * while the files are being replaced (an agent ending, the next one starting).
   */
  public static Optional<RunningAgent> of(LauncherFiles files) {
    try {
      long pid = Long.parseLong(Files.readString(files.agentPid()).trim().split(" ")[0]);
      if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) {
        return Optional.empty();
      }
      Map<String, String> env = new HashMap<>();
      for (String kv : new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")),
          StandardCharsets.UTF_8).split("\0")) {
        int eq = kv.indexOf('=');
        if (eq > 0) {
          env.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
      }
      return Optional.of(new RunningAgent(pid, env.getOrDefault(AgentLauncher.VERSION_ENV, "?"),
          env.getOrDefault(AgentLauncher.LAUNCH_ID_ENV, "?"), files.confirmation()));
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // no pid file yet, or the agent ending meanwhile
    }
  }

  /** This agent is {@code expected} ("" the base) and its own launch is the one confirmed. */
  public boolean confirmedAs(String expected) {
    return version.equals(expected) && confirmed.map(String::valueOf).equals(Optional.of(launchId));
  }
}
