package io.feitian.dayu.agent.node;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Module processes as systemd services, where systemd is the init system. The agent writes the
 * unit itself from the descriptor's {@code run} (the unit the descriptor names, else
 * {@code dayu-MODULE.service}) into {@code unitDir} (normally /etc/systemd/system), reloads
 * systemd when the text changed, and enables and starts it. The unit records the module's version
 * ({@code X-Dayu-Version}, a key systemd ignores), and the module's directory records the unit's
 * name ({@code systemd-unit}), so a restarted agent finds both.
 *
 * <p>Stop sends SIGTERM to the unit's processes, waits up to the grace for the unit to become
 * inactive, then runs {@code systemctl stop}, which kills what is left after the unit's
 * {@code TimeoutStopSec} and keeps {@code Restart=on-failure} from bringing it back.
 *
 * <p>Not covered by tests: containers have no systemd. The supervised path ({@link Supervisor}) is.
 */
public final class SystemdControl implements ProcessControl {
  private static final Duration SYSTEMCTL_TIMEOUT = Duration.ofSeconds(90);
  private static final long POLL_MILLIS = 100;

  private final NodeLayout layout;
  private final Path unitDir;

  public SystemdControl(NodeLayout layout, Path unitDir) {
    this.layout = layout;
    this.unitDir = unitDir;
  }

  @Override
  public String start(Launch launch, Duration grace) throws IOException, InterruptedException {
    String unit = launch.systemdUnit().orElse("dayu-" + launch.module() + ".service");
    NodeFiles.writeIfChanged(unitNameFile(launch.module()), unit + "\n");
    boolean changed = NodeFiles.writeIfChanged(unitDir.resolve(unit), unitText(launch));
    if (changed) {
      systemctl("daemon-reload");
    }
    Optional<Running> now = running(launch.module());
    if (now.isPresent() && !changed) {
      return "already running, " + unit + " pid " + now.get().pid();
    }
    String before = "";
    if (now.isPresent()) {
      stop(launch.module(), grace);
      before = "stopped " + now.get().version() + " (pid " + now.get().pid() + "), ";
    }
    systemctl("enable", unit);
    systemctl("start", unit);
    return before + "started " + unit + running(launch.module()).map(r -> " pid " + r.pid()).orElse("");
  }

  /** The unit for a launch: a simple service in the version's directory, restarted on failure. */
  static String unitText(Launch launch) {
    StringBuilder s = new StringBuilder()
        .append("# Written by dayu-agent; rewritten when another version of the module starts.\n")
        .append("[Unit]\n")
        .append("Description=Feitian module ").append(launch.module()).append(' ').append(launch.version()).append('\n')
        .append("X-Dayu-Version=").append(launch.version()).append("\n\n")
        .append("[Service]\n")
        .append("Type=simple\n")
        .append("WorkingDirectory=").append(launch.home().toString().replace("%", "%%")).append('\n')
        .append("ExecStart=").append(launch.command().stream().map(w -> quote(w.replace("$", "$$"))).collect(Collectors.joining(" ")))
        .append('\n');
    launch.environment().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> s.append("Environment=").append(quote(e.getKey() + "=" + e.getValue())).append('\n'));
    return s.append("Restart=on-failure\n")
        .append("RestartSec=5s\n")
        .append("TimeoutStopSec=5s\n")
        .append("KillMode=control-group\n\n")
        .append("[Install]\n")
        .append("WantedBy=multi-user.target\n")
        .toString();
  }

  /**
   * A word in systemd's quoting: C escapes in double quotes, '%' doubled (specifiers are expanded
   * everywhere). ExecStart also expands $VARIABLES, so its words double '$' first.
   */
  static String quote(String word) {
    return "\"" + word.replace("\\", "\\\\").replace("\"", "\\\"").replace("%", "%%").replace("\n", "\\n") + "\"";
  }

  @Override
  public Optional<Running> running(String module) throws IOException, InterruptedException {
    Optional<String> unit = unitName(module);
    if (unit.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> props = show(unit.get());
    long pid = Long.parseLong(props.getOrDefault("MainPID", "0"));
    if (!"active".equals(props.get("ActiveState")) || pid == 0) {
      return Optional.empty();
    }
    String version = NodeFiles.read(unitDir.resolve(unit.get())).orElse("").lines()
        .filter(l -> l.startsWith("X-Dayu-Version=")).map(l -> l.substring("X-Dayu-Version=".length()))
        .findFirst().orElse("");
    return Optional.of(new Running(pid, version));
  }

  @Override
  public Optional<Running> stop(String module, Duration grace) throws IOException, InterruptedException {
    Optional<String> unit = unitName(module);
    Optional<Running> r = running(module);
    if (unit.isEmpty() || r.isEmpty()) {
      return Optional.empty();
    }
    systemctl("kill", "--signal=SIGTERM", unit.get());
    long deadline = System.nanoTime() + grace.toNanos();
    while (isActive(unit.get()) && System.nanoTime() - deadline < 0) {
      Thread.sleep(POLL_MILLIS);
    }
    systemctl("stop", unit.get());
    return r;
  }

  @Override
  public void forget(String module) throws IOException, InterruptedException {
    Optional<String> unit = unitName(module);
    if (unit.isPresent() && java.nio.file.Files.exists(unitDir.resolve(unit.get()))) {
      systemctl("disable", unit.get());
      java.nio.file.Files.delete(unitDir.resolve(unit.get()));
      systemctl("daemon-reload");
    }
  }

  @Override
  public String errorTail(String module) throws IOException, InterruptedException {
    Optional<String> unit = unitName(module);
    if (unit.isEmpty()) {
      return "";
    }
    return Commands.run(List.of("journalctl", "-u", unit.get(), "-n", "20", "--no-pager", "-q"), SYSTEMCTL_TIMEOUT)
        .output();
  }

  private Path unitNameFile(String module) {
    return layout.moduleDir(module).resolve("systemd-unit");
  }

  private Optional<String> unitName(String module) throws IOException {
    return NodeFiles.read(unitNameFile(module)).map(String::strip);
  }

  private boolean isActive(String unit) throws IOException, InterruptedException {
    String state = show(unit).getOrDefault("ActiveState", "");
    return state.equals("active") || state.equals("deactivating") || state.equals("activating");
  }

  private Map<String, String> show(String unit) throws IOException, InterruptedException {
    Map<String, String> props = new HashMap<>();
    systemctl("show", "-p", "ActiveState", "-p", "MainPID", unit).lines().forEach(l -> {
      int eq = l.indexOf('=');
      if (eq > 0) {
        props.put(l.substring(0, eq), l.substring(eq + 1));
      }
    });
    return props;
  }

  private static String systemctl(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("systemctl"));
    command.addAll(List.of(args));
    Commands.Outcome out = Commands.run(command, SYSTEMCTL_TIMEOUT);
    if (!out.ok()) {
      throw new IOException(String.join(" ", command) + ": " + out.describe());
    }
    return out.output();
  }
}
