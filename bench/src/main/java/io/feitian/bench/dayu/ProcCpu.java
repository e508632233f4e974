package io.feitian.bench.dayu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's CPU time (user + system) from /proc/PID/stat, in milliseconds. */
final class ProcCpu {
  /** Clock ticks per second of /proc's times: 100 on Linux (USER_HZ). */
  private static final long TICKS_PER_SECOND = 100;

  private ProcCpu() {}

  static long millis(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
    // Fields after the command (which may hold spaces, hence the last ')'): state is field 3, utime 14, stime 15.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1000 / TICKS_PER_SECOND;
  }

  /** CPU of the process's JIT compiler threads (C1 and C2), in milliseconds. */
  static long compilerMillis(long pid) throws IOException {
    long ticks = 0;
    try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException e) {
          continue; // the thread ended
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }
      }
    }
    return ticks * 1000 / TICKS_PER_SECOND;
  }
}
