package io.feitian.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts a Java main class as a separate process with this JVM's classpath,
 * output to a log file: how integration tests run real daemons they can
 * {@code kill -9}.
 */
public final class ChildJvm {
  /**
   * Every child JVM's options, and those of the worker JVMs the tests' task-workers start: small
   * stacks, the serial collector and no C2, since dozens of JVMs share two cores and live seconds.
   */
  public static final List<String> LIGHT_OPTIONS = List.of("-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  private final String mainClass;
  private final List<String> args = new ArrayList<>();
  private final List<String> launcher = new ArrayList<>();
  private final List<String> jvmArgs = new ArrayList<>(LIGHT_OPTIONS);
  private final Map<String, String> env = new LinkedHashMap<>();
  private Path log;
  private boolean terminal;

  private ChildJvm(String mainClass) {
    this.mainClass = mainClass;
  }

  public static ChildJvm of(Class<?> mainClass) {
    return new ChildJvm(mainClass.getName());
  }

  public static ChildJvm of(String mainClass) {
    return new ChildJvm(mainClass);
  }

  public ChildJvm args(String... more) {
    args.addAll(List.of(more));
    return this;
  }

  public ChildJvm jvmArg(String arg) {
    jvmArgs.add(arg);
    return this;
  }

  public ChildJvm env(String key, String value) {
    env.put(key, value);
    return this;
  }

  public ChildJvm log(Path file) {
    this.log = file;
    return this;
  }

  /**
   * Runs the JVM through a launcher that ends by exec-ing it, such as
   * {@code ip netns exec NS} ({@link NetHosts#on}): the process is still the JVM.
   */
  public ChildJvm launchedBy(List<String> launcher) {
    this.launcher.addAll(launcher);
    return this;
  }

  /**
   * Runs the JVM on a pseudo-terminal, as a person at a terminal would: its stdin and stdout are a
   * tty ({@code System.console()} is not null). util-linux's {@code script} holds the terminal: what
   * the test writes to the Process's stdin is typed on it, what the JVM prints (with the echo of the
   * typing, lines ending in CR LF) goes to the log, and the Process's exit code is the JVM's. The
   * Process is then {@code script}, not the JVM.
   */
  public ChildJvm onTerminal() {
    this.terminal = true;
    return this;
  }

  public Process start() {
    List<String> cmd = new ArrayList<>(launcher);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(args);
    if (terminal) {
      // -q: no banner, -f: flush each write, -e: the command's exit code, -c: the command (for sh).
      cmd = List.of("script", "-qfec", String.join(" ", cmd.stream().map(ChildJvm::shellQuoted).toList()),
          "/dev/null");
    }
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    if (log != null) {
      try {
        Files.createDirectories(log.getParent());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    } else {
      pb.redirectOutput(new File("/dev/null"));
    }
    try {
      return pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + mainClass, e);
    }
  }

  private static String shellQuoted(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }

  /** Sends a signal by name (STOP: the process hangs; CONT: it goes on). */
  public static void signal(String sig, Process p) {
    try {
      new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).inheritIO().start().waitFor();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGKILL, like kill -9, and wait for the process to be gone. */
  public static void kill9(Process p) {
    p.destroyForcibly();
    try {
      p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
