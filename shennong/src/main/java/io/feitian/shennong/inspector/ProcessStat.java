package io.feitian.shennong.inspector;

import java.util.Optional;

/**
 * What the inspector reads of a process at every sampling, from the text of {@code /proc/PID/stat}
 * (proc(5)): one line, {@code pid (comm) state ...}. The command name may hold spaces and
 * parentheses, so fields are counted from its last ')'.
 *
 * @param cpuTicks user and system time (utime + stime), in clock ticks
 * @param startTicks when it started, in clock ticks since boot: tells it from a later process with its pid
 * @param residentPages resident set, in pages
 */
record ProcessStat(long cpuTicks, int threads, long startTicks, long residentPages) {
  // proc(5) numbers fields from 1; after "(comm) " the first is field 3, the state.
  private static final int FIRST = 3;
  private static final int UTIME = 14;
  private static final int STIME = 15;
  private static final int NUM_THREADS = 20;
  private static final int STARTTIME = 22;
  private static final int RSS = 24;

  /** The figures of a stat line; empty when it is not one (too short, not numbers). */
  static Optional<ProcessStat> parse(String stat) {
    int end = stat.lastIndexOf(')');
    if (end < 0 || end + 2 > stat.length()) {
      return Optional.empty();
    }
    String[] f = stat.substring(end + 2).strip().split(" ");
    if (f.length <= RSS - FIRST) {
      return Optional.empty();
    }
    try {
      return Optional.of(new ProcessStat(Long.parseLong(f[UTIME - FIRST]) + Long.parseLong(f[STIME - FIRST]),
          Integer.parseInt(f[NUM_THREADS - FIRST]), Long.parseLong(f[STARTTIME - FIRST]),
          Long.parseLong(f[RSS - FIRST])));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
