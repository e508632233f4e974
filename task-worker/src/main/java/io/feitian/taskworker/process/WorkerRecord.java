package io.feitian.taskworker.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Properties;

/**
 * Everything the supervisor persists about a worker in {@code worker.properties}: enough for a later
 * supervisor to adopt the worker or report how it ended. The environment is deliberately not
 * persisted (it may hold secrets).
 *
 * @param pid the process-group leader (the launch wrapper); 0 before it was started
 * @param pgid the process group; equals {@code pid}, because the wrapper runs under setsid
 * @param startTicks the leader's start time from {@code /proc/<pid>/stat}, in clock ticks since
 *     boot; -1 when it could not be read. Guards adoption against pid reuse.
 * @param startInstantMs the leader's start time as reported by {@link ProcessHandle.Info}, epoch
 *     milliseconds; -1 when unknown. For people only.
 * @param killReason why the supervisor is killing or killed the worker; empty when it did not
 */
record WorkerRecord(
    String workerId,
    String appId,
    long grantId,
    String name,
    List<String> argv,
    long memoryLimitMib,
    WorkerState state,
    long pid,
    long pgid,
    long startTicks,
    long startInstantMs,
    long startedAtMs,
    long endedAtMs,
    OptionalInt exitCode,
    String message,
    String killReason) {

  static final int FORMAT = 1;

  WorkerRecord {
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(name, "name");
    argv = List.copyOf(argv);
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(exitCode, "exitCode");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(killReason, "killReason");
  }

  static WorkerRecord starting(LaunchRequest request, long nowMs) {
    return new WorkerRecord(
        request.workerId(),
        request.appId(),
        request.grantId(),
        request.name(),
        request.argv(),
        request.memoryLimitMib(),
        WorkerState.STARTING,
        0,
        0,
        -1,
        -1,
        nowMs,
        0,
        OptionalInt.empty(),
        "",
        "");
  }

  boolean killRequested() {
    return !killReason.isEmpty();
  }

  WorkerRecord running(long newPid, long newStartTicks, long newStartInstantMs) {
    return new WorkerRecord(workerId, appId, grantId, name, argv, memoryLimitMib, WorkerState.RUNNING,
        newPid, newPid, newStartTicks, newStartInstantMs, startedAtMs, endedAtMs, exitCode, message,
        killReason);
  }

  WorkerRecord ended(WorkerState finalState, OptionalInt code, String why, long nowMs) {
    if (!finalState.isEnded()) {
      throw new IllegalArgumentException("not a final state: " + finalState);
    }
    return new WorkerRecord(workerId, appId, grantId, name, argv, memoryLimitMib, finalState, pid, pgid,
        startTicks, startInstantMs, startedAtMs, nowMs, code, why, killReason);
  }

  WorkerRecord killing(String reason) {
    return new WorkerRecord(workerId, appId, grantId, name, argv, memoryLimitMib, state, pid, pgid,
        startTicks, startInstantMs, startedAtMs, endedAtMs, exitCode, message, reason);
  }

  WorkerSnapshot toSnapshot(Path workDir) {
    return new WorkerSnapshot(workerId, appId, grantId, name, state, pid, exitCode, workDir,
        startedAtMs, endedAtMs, message);
  }

  Properties toProperties() {
    Properties p = new Properties();
    p.setProperty("format", Integer.toString(FORMAT));
    p.setProperty("workerId", workerId);
    p.setProperty("appId", appId);
    p.setProperty("grantId", Long.toString(grantId));
    p.setProperty("name", name);
    p.setProperty("argv.count", Integer.toString(argv.size()));
    for (int i = 0; i < argv.size(); i++) {
      p.setProperty("argv." + i, argv.get(i));
    }
    p.setProperty("memoryLimitMib", Long.toString(memoryLimitMib));
    p.setProperty("state", state.name());
    p.setProperty("pid", Long.toString(pid));
    p.setProperty("pgid", Long.toString(pgid));
    p.setProperty("startTicks", Long.toString(startTicks));
    p.setProperty("startInstantMs", Long.toString(startInstantMs));
    p.setProperty("startedAtMs", Long.toString(startedAtMs));
    p.setProperty("endedAtMs", Long.toString(endedAtMs));
    exitCode.ifPresent(code -> p.setProperty("exitCode", Integer.toString(code)));
    p.setProperty("message", message);
    p.setProperty("killReason", killReason);
    return p;
  }

  /** Reads a record; throws {@link IllegalArgumentException} naming the first bad or missing key. */
  static WorkerRecord fromProperties(Properties p) {
    int format = (int) number(p, "format");
    if (format != FORMAT) {
      throw new IllegalArgumentException("unsupported worker.properties format " + format);
    }
    int argc = (int) number(p, "argv.count");
    List<String> argv = new ArrayList<>(argc);
    for (int i = 0; i < argc; i++) {
      argv.add(text(p, "argv." + i));
    }
    WorkerState state;
    try {
      state = WorkerState.valueOf(text(p, "state"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad state: " + p.getProperty("state"), e);
    }
    String code = p.getProperty("exitCode");
    OptionalInt exitCode;
    try {
      exitCode = code == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(code));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad exitCode: " + code, e);
    }
    return new WorkerRecord(
        text(p, "workerId"),
        text(p, "appId"),
        number(p, "grantId"),
        text(p, "name"),
        argv,
        number(p, "memoryLimitMib"),
        state,
        number(p, "pid"),
        number(p, "pgid"),
        number(p, "startTicks"),
        number(p, "startInstantMs"),
        number(p, "startedAtMs"),
        number(p, "endedAtMs"),
        exitCode,
        p.getProperty("message", ""),
        p.getProperty("killReason", ""));
  }

  private static String text(Properties p, String key) {
    String value = p.getProperty(key);
    if (value == null) {
      throw new IllegalArgumentException("missing " + key);
    }
    return value;
  }

  private static long number(Properties p, String key) {
    String value = text(p, key);
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad " + key + ": " + value, e);
    }
  }
}
