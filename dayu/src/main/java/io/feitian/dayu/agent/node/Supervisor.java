package io.feitian.dayu.agent.node;

import io.feitian.common.files.SafeFiles;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's own supervision of module processes, where systemd does not run them.
 *
 * <p>A module's process is started as {@code setsid COMMAND...} from the version's directory,
 * its input from /dev/null and its output appended to {@code stdout.log} and {@code stderr.log}
 * in the module's directory. {@code setsid} gives it a session and process group of its own: it
 * gets no SIGHUP when the agent goes, survives the agent (even SIGKILLed), and its whole tree can
 * be signalled as a group. (The agent's child is never a group leader, so setsid execs the
 * command in place: the pid the agent sees is the module's.)
 *
 * <p>{@code process.pid} holds the pid, the kernel's start time of that pid ({@code /proc/PID/stat})
 * and the version. A process counts as the module's only while a live process has that pid
 * <em>and</em> that start time, so a pid the kernel gave to another process after the module
 * ended is never taken for it, never signalled. All of it is on disk: a new supervisor, in a
 * restarted agent, finds what an earlier one started.
 *
 * <p>{@code process.launch} holds what was started (version, directory, command, environment), so
 * that a process that ended without the agent stopping it can be started again ({@link #restart}):
 * {@link Restarter} does that with a backoff, and so brings the modules back when the agent starts
 * after the node rebooted. A stop deletes {@code process.pid}: a module the agent stopped on purpose
 * (a stop step, a removal) is never restarted. Start, stop and restart of a module are serialized,
 * so a restart cannot slip in between a stop's signal and its deletion of the pid file.
 *
 * <p>Limits: the environment is the descriptor's over a few inherited variables ({@link #INHERITED}),
 * as systemd would give a clean one. An agent dying between the spawn and the pid file's write (a few
 * milliseconds) leaves a process the next agent does not know. Stop signals the group and waits
 * for its leader (KILL after the grace); a member that outlives the leader, or left the group, is
 * not waited for.
 */
public final class Supervisor implements ProcessControl {
  private static final Logger log = LoggerFactory.getLogger(Supervisor.class);
  /** Variables of the agent's environment a module's process gets too. */
  static final Set<String> INHERITED = Set.of("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR",
      "JAVA_HOME");
  /** How long a process may take to go after SIGKILL before stop gives up (it is in uninterruptible sleep). */
  private static final Duration AFTER_KILL = Duration.ofSeconds(10);
  private static final long POLL_MILLIS = 10;
  private static final int TAIL_BYTES = 1_000;

  private final NodeLayout layout;

  public Supervisor(NodeLayout layout) {
    this.layout = layout;
  }

  @Override
  public synchronized String start(Launch launch, Duration grace) throws IOException, InterruptedException {
    Optional<Running> now = running(launch.module());
    if (now.isPresent() && now.get().version().equals(launch.version())) {
      return "already running, pid " + now.get().pid();
    }
    String before = "";
    if (now.isPresent()) {
      stop(launch.module(), grace);
      before = "stopped " + now.get().version() + " (pid " + now.get().pid() + "), ";
    }
    Files.createDirectories(layout.moduleDir(launch.module()));
    List<String> command = new ArrayList<>();
    command.add("setsid");
    command.addAll(launch.command());
    ProcessBuilder builder = new ProcessBuilder(command).directory(launch.home().toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(layout.stdout(launch.module()).toFile()))
        .redirectError(ProcessBuilder.Redirect.appendTo(layout.stderr(launch.module()).toFile()));
    Map<String, String> env = builder.environment();
    env.keySet().retainAll(INHERITED);
    env.putAll(launch.environment());
    // What to start again is recorded before the process starts: a pid file never lacks its launch.
    SafeFiles.writeAtomically(layout.launchFile(launch.module()), LaunchFile.encode(launch));
    Process p = builder.start();
    Optional<ProcStat> stat = ProcStat.of(p.pid());
    if (stat.isEmpty() || !stat.get().live()) {
      throw new IOException("the process exited at once");
    }
    SafeFiles.writeAtomically(layout.pidFile(launch.module()),
        p.pid() + " " + stat.get().startTicks() + " " + launch.version() + "\n");
    return before + "started pid " + p.pid();
  }

  /**
   * The modules whose recorded process ended without the agent stopping it: a pid file, no live
   * process with its pid and start time. After a reboot, every module that ran. Synchronized with
   * {@link #stop}: a process a stop has ended but whose pid file it has not yet deleted is not
   * taken for one that ended by itself. A module whose pid file cannot be read is left out (and
   * logged), not the others with it.
   */
  public synchronized List<String> ended() throws IOException {
    Path modules = layout.root().resolve("modules");
    if (!Files.isDirectory(modules)) {
      return List.of();
    }
    List<String> ended = new ArrayList<>();
    try (var dirs = Files.list(modules)) {
      for (Path d : (Iterable<Path>) dirs.sorted()::iterator) {
        String module = d.getFileName().toString();
        try {
          if (Files.exists(layout.pidFile(module)) && live(module).isEmpty()) {
            ended.add(module);
          }
        } catch (IOException | NumberFormatException e) {
          log.warn("module {}: cannot tell whether its process runs: {}", module, e.getMessage());
        }
      }
    }
    return ended;
  }

  /**
   * Starts again what {@code process.launch} records, if the module's process ended without the
   * agent stopping it (checked again here, under the lock a stop holds). Empty when there is
   * nothing to restart: stopped on purpose, removed, or running (a start step came first).
   */
  public synchronized Optional<String> restart(String module, Duration grace) throws IOException, InterruptedException {
    Optional<String> pid = NodeFiles.read(layout.pidFile(module));
    if (pid.isEmpty() || live(module).isPresent()) {
      return Optional.empty();
    }
    Optional<String> recorded = NodeFiles.read(layout.launchFile(module));
    if (recorded.isEmpty()) {
      throw new IOException("no " + layout.launchFile(module) + " (started by an agent that did not record it)");
    }
    Launch launch = LaunchFile.decode(module, recorded.get());
    if (!Files.isDirectory(launch.home())) {
      throw new IOException(launch.home() + " of " + module + " " + launch.version() + " is gone");
    }
    String oldPid = pid.get().strip().split(" ")[0];
    return Optional.of(launch.version() + " (pid " + oldPid + " ended), " + start(launch, grace));
  }

  @Override
  public Optional<Running> running(String module) throws IOException {
    return live(module).map(p -> new Running(p.pid(), p.version()));
  }

  /** What {@code process.pid} records. */
  private record Recorded(long pid, long startTicks, String version) {}

  /** The recorded process if it still runs: a live process with the recorded pid and start time. */
  private Optional<Recorded> live(String module) throws IOException {
    Optional<String> text = NodeFiles.read(layout.pidFile(module));
    if (text.isEmpty()) {
      return Optional.empty();
    }
    String[] f = text.get().strip().split(" ");
    if (f.length != 3) {
      throw new IOException(layout.pidFile(module) + " is not \"PID START_TICKS VERSION\": " + text.get().strip());
    }
    Recorded r = new Recorded(Long.parseLong(f[0]), Long.parseLong(f[1]), f[2]);
    return alive(r.pid(), r.startTicks()) ? Optional.of(r) : Optional.empty();
  }

  private static boolean alive(long pid, long startTicks) throws IOException {
    Optional<ProcStat> stat = ProcStat.of(pid);
    return stat.isPresent() && stat.get().live() && stat.get().startTicks() == startTicks;
  }

  @Override
  public synchronized Optional<Running> stop(String module, Duration grace) throws IOException, InterruptedException {
    Optional<Recorded> r = live(module);
    if (r.isPresent()) {
      long pid = r.get().pid();
      signalGroup(pid, "TERM");
      if (!waitGone(pid, r.get().startTicks(), grace)) {
        signalGroup(pid, "KILL");
        if (!waitGone(pid, r.get().startTicks(), AFTER_KILL)) {
          throw new IOException("pid " + pid + " of " + module + " is still there " + AFTER_KILL.toSeconds()
              + " s after SIGKILL");
        }
      }
    }
    Files.deleteIfExists(layout.pidFile(module));
    return r.map(p -> new Running(p.pid(), p.version()));
  }

  /** Signals the process group {@code pid} leads (setsid made it leader). A group already gone is no error. */
  private static void signalGroup(long pid, String signal) throws IOException, InterruptedException {
    Commands.run(List.of("kill", "-s", signal, "--", "-" + pid), Duration.ofSeconds(5));
  }

  /** Waits until the process is gone, up to {@code limit}; whether it went. */
  private static boolean waitGone(long pid, long startTicks, Duration limit) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (alive(pid, startTicks)) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      Thread.sleep(POLL_MILLIS);
    }
    return true;
  }

  /** Nothing to do: all the supervisor keeps is in the module's directory. */
  @Override
  public void forget(String module) {}

  @Override
  public String errorTail(String module) throws IOException {
    Path stderr = layout.stderr(module);
    if (!Files.exists(stderr)) {
      return "";
    }
    try (RandomAccessFile f = new RandomAccessFile(stderr.toFile(), "r")) {
      long from = Math.max(0, f.length() - TAIL_BYTES);
      byte[] bytes = new byte[(int) (f.length() - from)];
      f.seek(from);
      f.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8).strip();
    }
  }
}
