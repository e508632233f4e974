package io.feitian.common.lifecycle;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.feitian.common.config.ConfigLoader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code main} of every daemon: reads {@code --config FILE},
 * {@code --set key=value} and {@code --print-config}, builds the daemon from
 * the effective configuration, starts it, tells systemd it is ready, and on
 * SIGTERM (or Ctrl-C) closes it gracefully.
 */
public final class DaemonLauncher {
  private static final Logger log = LoggerFactory.getLogger(DaemonLauncher.class);

  private DaemonLauncher() {}

  /**
   * @param section the daemon's own configuration section, printed by --print-config with "feitian"
   */
  public static void run(String name, String section, String[] args, Function<Config, Daemon> factory) {
    run(name, section, args, factory, config -> "");
  }

  /**
   * @param derived what --print-config adds after the configuration: values derived from it (such as the
   *     address the daemon will advertise, and why); throws IllegalArgumentException for a configuration
   *     the daemon would refuse
   */
  public static void run(String name, String section, String[] args, Function<Config, Daemon> factory,
      Function<Config, String> derived) {
    int code = run(name, section, args, factory, derived, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  static int run(String name, String section, String[] args, Function<Config, Daemon> factory,
      Function<Config, String> derived, PrintStream out, PrintStream err) {
    Path configFile = null;
    boolean printConfig = false;
    Map<String, Object> overrides = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> {
          if (i + 1 >= args.length) {
            err.println(name + ": --config needs a file");
            return 2;
          }
          configFile = Path.of(args[++i]);
        }
        case "--set" -> {
          if (i + 1 >= args.length || !args[i + 1].contains("=")) {
            err.println(name + ": --set needs key=value");
            return 2;
          }
          String kv = args[++i];
          overrides.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        case "--print-config" -> printConfig = true;
        case "-h", "--help" -> {
          out.println("usage: " + name + " [--config FILE] [--set key=value]... [--print-config]");
          return 0;
        }
        default -> {
          err.println(name + ": unknown argument '" + args[i] + "' (try --help)");
          return 2;
        }
      }
    }
    Config config;
    try {
      config = ConfigLoader.load(configFile, overrides);
    } catch (RuntimeException e) {
      err.println(name + ": bad configuration: " + e.getMessage());
      return 2;
    }
    if (printConfig) {
      out.println(ConfigLoader.render(config, section));
      try {
        String notes = derived.apply(config);
        if (!notes.isEmpty()) {
          out.println(notes);
        }
      } catch (IllegalArgumentException | ConfigException e) {
        err.println(name + ": bad configuration: " + e.getMessage());
        return 2;
      }
      return 0;
    }
    Daemon daemon;
    try {
      daemon = factory.apply(config);
      daemon.start();
    } catch (IllegalArgumentException | ConfigException e) {
      err.println(name + ": bad configuration: " + e.getMessage());
      return 2;
    } catch (Exception e) {
      log.error("{} failed to start", name, e);
      err.println(name + ": failed to start: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("{} stopping", name);
      SystemdNotifier.stopping();
      try {
        daemon.close();
      } finally {
        stopped.countDown();
      }
    }, name + "-shutdown"));
    log.info("{} ready: {}", name, daemon.describe());
    SystemdNotifier.ready(daemon.describe());
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
