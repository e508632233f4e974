package io.feitian.dayu.agent.node;

/**
 * When to restart a supervised module process that ended without the agent stopping it: a pure
 * decision, times in milliseconds passed in (see docs/DAYU.md, "Supervision (no systemd)").
 *
 * <p>The first restart comes {@code firstMillis} after the end is seen; each further one in a row
 * waits twice as long as the one before, up to {@code maxMillis}. A process that stayed up
 * {@code stableMillis} or more before it ended starts a new row: a module that crashes once a day
 * comes back after the first pause, one that crashes at once is tried less and less often.
 */
public record RestartBackoff(long firstMillis, long maxMillis, long stableMillis) {
  /** What the agent remembers of a module's restarts; {@link #NONE} before the first. */
  public record History(int inARow, long lastStartMillis) {
    /** No restart yet (or none the agent remembers: an agent that started finds a process gone). */
    public static final History NONE = new History(0, Long.MIN_VALUE);
  }

  /** The restart to do: the {@code inARow}-th in a row, at {@code atMillis}. */
  public record Decision(int inARow, long atMillis, long delayMillis) {
    /** The history once this restart was done at {@code nowMillis}. */
    public History done(long nowMillis) {
      return new History(inARow, nowMillis);
    }
  }

  public RestartBackoff {
    if (firstMillis <= 0 || maxMillis < firstMillis) {
      throw new IllegalArgumentException("restart backoff must be positive and at most its maximum, got "
          + firstMillis + " ms and " + maxMillis + " ms");
    }
    if (stableMillis <= 0) {
      throw new IllegalArgumentException("the time a process must stay up to reset its backoff must be positive, got "
          + stableMillis + " ms");
    }
  }

  /** The restart of a process whose end was seen at {@code seenMillis}, after the restarts in {@code history}. */
  public Decision onEnd(History history, long seenMillis) {
    boolean stayedUp = history.inARow() == 0 || seenMillis - history.lastStartMillis() >= stableMillis;
    int inARow = stayedUp ? 1 : history.inARow() + 1;
    long delay = delay(inARow);
    return new Decision(inARow, seenMillis + delay, delay);
  }

  /** {@code firstMillis} doubled {@code inARow - 1} times, at most {@code maxMillis}. */
  long delay(int inARow) {
    long delay = firstMillis;
    for (int i = 1; i < inARow; i++) {
      if (delay > maxMillis / 2) {
        return maxMillis;
      }
      delay *= 2;
    }
    return delay;
  }
}
