package io.feitian.job.worker;

/**
 * The end of an attempt's log, kept in memory (bounded) and sent with its
 * result: what `feitian job logs` shows and a failed job reports.
 */
final class AttemptLog {
  static final int TAIL_BYTES = 64 * 1024;
  private final StringBuilder text = new StringBuilder();

  synchronized void line(String line) {
    text.append(line).append('\n');
    if (text.length() > 2 * TAIL_BYTES) {
      text.delete(0, text.length() - TAIL_BYTES);
    }
  }

  /** The last {@link #TAIL_BYTES} or so, cut at a line start when possible. */
  synchronized String tail() {
    if (text.length() <= TAIL_BYTES) {
      return text.toString();
    }
    String t = text.substring(text.length() - TAIL_BYTES);
    int nl = t.indexOf('\n');
    return nl >= 0 && nl < t.length() - 1 ? t.substring(nl + 1) : t;
  }
}
