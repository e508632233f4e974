package io.feitian.dayu.launcher;

import io.feitian.common.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code dayu-agent-launcher [--base DIR] [--root DIR] [--trial-window DURATION] [--stop-grace DURATION]
 * [AGENT ARGUMENTS...]}: runs the node's dayu-agent at its confirmed version and tries new ones
 * (docs/DAYU.md, "Self-upgrade of dayu-agent"). It runs from the distribution installed first
 * and is never replaced by an agent upgrade, so it stays the same while the agents change.
 *
 * <p>{@code --base} defaults to {@code $FEITIAN_HOME}, {@code --root} to the agent's
 * {@code dayu.agent.root} as the agent arguments configure it ({@code --config FILE}, else
 * {@code $FEITIAN_CONF/dayu-agent.conf} when it exists, and {@code --set}), the window to
 * {@code $FEITIAN_DAYU_TRIAL_WINDOW} or 2 minutes. Every other argument goes to the agent. Exit
 * status: the agent's when it exits outside a trial, 2 for a bad command line.
 */
public final class AgentLauncherMain {
  private AgentLauncherMain() {}

  public static void main(String[] args) throws Exception {
    String base = System.getenv().getOrDefault("FEITIAN_HOME", "");
    String root = "";
    String window = System.getenv().getOrDefault("FEITIAN_DAYU_TRIAL_WINDOW", "2m");
    String grace = "30s";
    List<String> agentArgs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      boolean own = a.equals("--base") || a.equals("--root") || a.equals("--trial-window") || a.equals("--stop-grace");
      if (!own) {
        agentArgs.add(a);
        continue;
      }
      if (i + 1 >= args.length) {
        usage(a + " needs a value");
      }
      String v = args[++i];
      switch (a) {
        case "--base" -> base = v;
        case "--root" -> root = v;
        case "--trial-window" -> window = v;
        default -> grace = v;
      }
    }
    if (base.isEmpty()) {
      usage("--base (or FEITIAN_HOME) must name the distribution the base agent runs from");
    }
    if (root.isEmpty()) {
      root = agentRoot(agentArgs);
    }
    AgentLauncher launcher = new AgentLauncher(Path.of(base), Path.of(root), agentArgs, duration("--trial-window", window),
        duration("--stop-grace", grace));
    Runtime.getRuntime().addShutdownHook(new Thread(launcher::stop, "dayu-agent-launcher-stop"));
    System.exit(launcher.run());
  }

  /** {@code dayu.agent.root} as the agent will read it from the same arguments. */
  static String agentRoot(List<String> agentArgs) {
    Path file = null;
    Map<String, String> overrides = new HashMap<>();
    for (int i = 0; i + 1 < agentArgs.size(); i++) {
      String a = agentArgs.get(i);
      if (a.equals("--config")) {
        file = Path.of(agentArgs.get(++i));
      } else if (a.equals("--set") && agentArgs.get(i + 1).contains("=")) {
        String kv = agentArgs.get(++i);
        overrides.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
      }
    }
    if (file == null) {
      Path conf = Path.of(System.getenv().getOrDefault("FEITIAN_CONF", "conf"), "dayu-agent.conf");
      file = Files.isRegularFile(conf) ? conf : null;
    }
    try {
      return ConfigLoader.load(file, overrides).getString("dayu.agent.root");
    } catch (RuntimeException e) {
      usage("cannot read dayu.agent.root from the agent's configuration: " + e.getMessage());
      return "";
    }
  }

  /** 500ms, 5s, 2m, 1h. */
  static Duration duration(String option, String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(text.trim());
    if (!m.matches()) {
      usage(option + " must be a duration such as 500ms, 30s or 2m, got \"" + text + "\"");
    }
    long n = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
    if (d.isZero()) {
      usage(option + " must be more than 0");
    }
    return d;
  }

  private static void usage(String message) {
    System.err.println("dayu-agent-launcher: " + message);
    System.exit(2);
  }
}
