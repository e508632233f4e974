package io.feitian.taskworker.process;

import java.util.Optional;

/**
 * The fields of {@code /proc/<pid>/stat} the supervisor uses.
 *
 * @param pid the process id
 * @param state the one-letter kernel state ({@code R}, {@code S}, {@code Z}, ...)
 * @param ppid the parent's pid
 * @param pgrp the process group id
 * @param startTicks when the process started, in clock ticks since boot; with the pid it identifies
 *     a process across pid reuse
 */
record ProcStat(long pid, char state, long ppid, long pgrp, long startTicks) {

  /** True for a process that has ended and waits to be reaped (or is being reaped). */
  boolean isDead() {
    return state == 'Z' || state == 'X' || state == 'x';
  }

  /**
   * Parses the content of a stat file. The command name (field 2) is in parentheses and may itself
   * contain spaces and parentheses, so the fields are counted from the last closing parenthesis.
   */
  static Optional<ProcStat> parse(long pid, String content) {
    int close = content.lastIndexOf(')');
    if (close < 0 || close + 2 > content.length()) {
      return Optional.empty();
    }
    String[] fields = content.substring(close + 2).trim().split(" ");
    // fields[0] is field 3 of proc(5): state; ppid is 4, pgrp 5, starttime 22.
    if (fields.length < 20 || fields[0].isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new ProcStat(
              pid,
              fields[0].charAt(0),
              Long.parseLong(fields[1]),
              Long.parseLong(fields[2]),
              Long.parseLong(fields[19])));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
