package io.feitian.taskworker.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a launch request into a started wrapper process: resolves the program, builds the
 * environment and the command line, and starts {@code setsid /bin/sh -c WRAPPER ...}.
 */
final class ProgramLauncher {
  /**
   * Runs as {@code sh -c WRAPPER feitian-launch PIDFILE STATUSTMP STATUSFILE MV KILLMARKER program
   * args...}.
   *
   * <ul>
   *   <li>The traps come first: from then on a group-wide SIGTERM leaves the wrapper alive to record
   *       the program's status. Handled signals (unlike ignored ones) are back at their defaults in
   *       the program, which a subshell runs and execs.
   *   <li>It records its own pid, for a supervisor that died before recording it.
   *   <li>The forked subshell checks the kill marker just before it execs the program. The
   *       supervisor writes the marker before it looks for processes to signal, so a program either
   *       sees the marker and never runs, or already existed when the supervisor looked and gets the
   *       signal. Without it, a SIGTERM landing while the wrapper forks is taken by the wrapper and
   *       the program runs until the SIGKILL after the grace.
   *   <li>It records the program's status with a rename, so a reader never sees half of it. A
   *       shell reports death by signal N as 128+N; a program stopped by the marker reports 143.
   * </ul>
   */
  static final String WRAPPER =
      String.join(
          "\n",
          "trap : HUP INT QUIT TERM",
          "pid_file=$1; status_tmp=$2; status_file=$3; mv=$4; kill_marker=$5; shift 5",
          "echo \"$$\" > \"$pid_file.tmp\" && \"$mv\" -f \"$pid_file.tmp\" \"$pid_file\"",
          "( [ -e \"$kill_marker\" ] && exit 143; exec \"$@\" )",
          "rc=$?",
          "echo \"$rc\" > \"$status_tmp\" && \"$mv\" -f \"$status_tmp\" \"$status_file\"",
          "exit \"$rc\"",
          "");

  static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

  private final Path shell;
  private final Path setsid;
  private final Path mv;
  private final Set<String> inheritedEnv;
  private final Map<String, String> hostEnv;
  private final Map<String, String> nodeEnv;

  ProgramLauncher(Set<String> inheritedEnv, Map<String, String> hostEnv, Map<String, String> nodeEnv) {
    this.inheritedEnv = Set.copyOf(inheritedEnv);
    this.hostEnv = Map.copyOf(hostEnv);
    this.nodeEnv = Map.copyOf(nodeEnv);
    String hostPath = hostEnv.getOrDefault("PATH", DEFAULT_PATH);
    this.shell = Path.of("/bin/sh");
    if (!Files.isExecutable(shell)) {
      throw new IllegalStateException("/bin/sh is needed to launch workers and is not executable");
    }
    this.setsid = required("setsid", hostPath);
    this.mv = required("mv", hostPath);
  }

  private static Path required(String tool, String path) {
    return search(tool, path + ":" + DEFAULT_PATH, Path.of("/"))
        .orElseThrow(
            () -> new IllegalStateException(tool + "(1) is needed to launch workers; not found in " + path));
  }

  /**
   * The worker's environment: the inherited host variables, then the request's, then the
   * node's (its security settings) and the supervisor's own FEITIAN_* variables, which a
   * request cannot override.
   */
  Map<String, String> environment(LaunchRequest request, WorkerDirectory dir, Map<String, String> into) {
    into.clear();
    for (String name : inheritedEnv) {
      String value = hostEnv.get(name);
      if (value != null) {
        into.put(name, value);
      }
    }
    into.putAll(request.env());
    into.putAll(nodeEnv);
    into.put(LaunchRequest.ENV_WORKER_ID, request.workerId());
    into.put(LaunchRequest.ENV_APP_ID, request.appId());
    into.put(LaunchRequest.ENV_GRANT_ID, Long.toString(request.grantId()));
    into.put(LaunchRequest.ENV_WORK_DIR, dir.workDir().toString());
    return into;
  }

  /**
   * Where {@code program} is, the way a shell would find it: as a path (relative to {@code cwd})
   * when it contains a slash, otherwise in the directories of {@code path}.
   *
   * @throws ProgramNotFoundException with a message naming the program
   */
  static Path resolve(String program, String path, Path cwd) throws ProgramNotFoundException {
    if (program.contains("/")) {
      Path candidate = cwd.resolve(program).normalize();
      if (!Files.exists(candidate)) {
        throw new ProgramNotFoundException("cannot start '" + program + "': no such file");
      }
      if (!Files.isRegularFile(candidate) || !Files.isExecutable(candidate)) {
        throw new ProgramNotFoundException("cannot start '" + program + "': not an executable file");
      }
      return candidate;
    }
    return search(program, path, cwd)
        .orElseThrow(
            () ->
                new ProgramNotFoundException(
                    "cannot start '" + program + "': no such executable in PATH=" + path));
  }

  private static Optional<Path> search(String program, String path, Path cwd) {
    for (String dir : path.split(":", -1)) {
      Path candidate = (dir.isEmpty() ? cwd : cwd.resolve(dir)).resolve(program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * Starts the wrapper running {@code argv}, whose first element is already resolved. Output goes
   * to the log files and input comes from /dev/null, so nothing ties the worker to this JVM.
   */
  Process start(
      LaunchRequest request, WorkerDirectory dir, Path program) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(setsid.toString());
    command.add(shell.toString());
    command.add("-c");
    command.add(WRAPPER);
    command.add("feitian-launch");
    command.add(dir.pidFile().toString());
    command.add(dir.exitStatusTempFile().toString());
    command.add(dir.exitStatusFile().toString());
    command.add(mv.toString());
    command.add(dir.killMarker().toString());
    command.add(program.toString());
    command.addAll(request.argv().subList(1, request.argv().size()));
    ProcessBuilder builder = new ProcessBuilder(command);
    environment(request, dir, builder.environment());
    builder.directory(dir.workDir().toFile());
    builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.stdout().toFile()));
    builder.redirectError(ProcessBuilder.Redirect.appendTo(dir.stderr().toFile()));
    return builder.start();
  }

  /** The program of a request cannot be found or is not executable. */
  static final class ProgramNotFoundException extends Exception {
    ProgramNotFoundException(String message) {
      super(message);
    }
  }
}
