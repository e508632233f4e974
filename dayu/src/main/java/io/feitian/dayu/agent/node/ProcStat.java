package io.feitian.dayu.agent.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the supervisor reads of a process in {@code /proc/PID/stat} (proc(5)): its state and its
 * start time in clock ticks since boot. The pair (pid, start time) names one process for the
 * machine's uptime: a later process given the same pid has a later start time. The command name
 * may hold spaces and parentheses, so fields are counted from its last ')'.
 */
record ProcStat(char state, long startTicks) {
  // proc(5) numbers fields from 1; after "(comm) " comes field 3, the state.
  private static final int FIRST = 3;
  private static final int STARTTIME = 22;

  /** The process's stat now; empty when there is no such process. */
  static Optional<ProcStat> of(long pid) throws IOException {
    Path dir = Path.of("/proc", Long.toString(pid));
    try {
      return parse(Files.readString(dir.resolve("stat")));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      // Reaped between the open and the read: the read fails with ESRCH ("No such process").
      if (!Files.exists(dir)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  static Optional<ProcStat> parse(String stat) {
    int end = stat.lastIndexOf(')');
    if (end < 0 || end + 2 > stat.length()) {
      return Optional.empty();
    }
    String[] f = stat.substring(end + 2).strip().split(" ");
    if (f.length <= STARTTIME - FIRST || f[0].length() != 1) {
      return Optional.empty();
    }
    try {
      return Optional.of(new ProcStat(f[0].charAt(0), Long.parseLong(f[STARTTIME - FIRST])));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Whether the process still runs: a zombie (Z) or dead (X) one has ended, only its entry remains. */
  boolean live() {
    return state != 'Z' && state != 'X';
  }
}
