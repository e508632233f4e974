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
}
