package io.feitian.dayu.db;

/**
 * A published version whose bytes the database does not hold whole (DATA_LOSS at the server): the
 * server's loss, not the caller's mistake. Versions published before the database kept packages
 * (migration V3) are the expected case.
 */
public final class LostPackageException extends IllegalStateException {
  LostPackageException(String message) {
    super(message);
  }
}
