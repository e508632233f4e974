package io.feitian.dayu.db;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * Every store's way into the database: each call is one READ COMMITTED
 * transaction, so rows that change together change together or not at all.
 *
 * <p>Writes check what they depend on first (the cluster exists, the version
 * is not published yet, no rollout is active...) and throw
 * IllegalArgumentException, which rolls back. Two writers can both pass a
 * check; the database's unique constraints then refuse the second insert, and
 * the write is retried from the start: the retry sees the winner's row and
 * answers as if it had come second (a clear error, or the idempotent result).
 * Deadlocks and serialization failures are retried the same way.
 */
final class Transactions {
  private static final int ATTEMPTS = 5;
  private static final String UNIQUE_VIOLATION = "23505";
  private static final String SERIALIZATION_FAILURE = "40001";
  private static final String DEADLOCK_DETECTED = "40P01";

  private final Jdbi jdbi;
  private final Clock clock;

  Transactions(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  <T> T write(HandleCallback<T, RuntimeException> work) {
    for (int attempt = 1; ; attempt++) {
      try {
        return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, work);
      } catch (JdbiException e) {
        if (attempt == ATTEMPTS || !retryable(e)) {
          throw e;
        }
      }
    }
  }

  /** Reads in one transaction, so that what is read together is consistent. */
  <T> T read(HandleCallback<T, RuntimeException> work) {
    return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, work);
  }

  /** The time written into rows, to the millisecond (what both databases keep exactly). */
  Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  static boolean retryable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        String state = sql.getSQLState();
        return UNIQUE_VIOLATION.equals(state) || SERIALIZATION_FAILURE.equals(state)
            || DEADLOCK_DETECTED.equals(state);
      }
    }
    return false;
  }
}
