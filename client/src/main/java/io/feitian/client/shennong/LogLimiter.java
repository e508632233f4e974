package io.feitian.client.shennong;

/**
 * At most one log line per interval for a recurring problem (an agent refusing samples, a gauge's
 * supplier throwing), with a count of the occurrences that were not logged: a writer flushes every
 * second, and one line per flush would bury the application's own log. Time is passed in. Not
 * thread-safe: the flush thread owns it.
 */
final class LogLimiter {
  static final long NOT_NOW = -1;

  private final long intervalMs;
  private long nextMs = Long.MIN_VALUE;
  private long suppressed;

  LogLimiter(long intervalMs) {
    this.intervalMs = intervalMs;
  }

  /**
   * Counts one occurrence at {@code nowMs}: {@link #NOT_NOW} when it must not be logged, else how
   * many occurrences were not logged since the last line (to say so in this one).
   */
  long occurred(long nowMs) {
    if (nowMs < nextMs) {
      suppressed++;
      return NOT_NOW;
    }
    nextMs = nowMs + intervalMs;
    long s = suppressed;
    suppressed = 0;
    return s;
  }

  /** " (N more since the last report)" when some were not logged, else "". */
  static String more(long suppressed) {
    return suppressed == 0 ? "" : " (" + suppressed + " more since the last report)";
  }
}
