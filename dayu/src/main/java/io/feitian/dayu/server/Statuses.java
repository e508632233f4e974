package io.feitian.dayu.server;

import io.feitian.dayu.db.AlreadyExistsException;
import io.feitian.dayu.db.LostPackageException;
import io.feitian.dayu.db.NotFoundException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a refusal or failure becomes a status. The stores and checks throw
 * IllegalArgumentException (the caller's input; its message starts with the field),
 * its subclasses NotFoundException and AlreadyExistsException, and IllegalStateException (a
 * conflict with the database's state); anything else is the server's own trouble.
 */
public final class Statuses {
  private static final Logger log = LoggerFactory.getLogger(Statuses.class);

  private Statuses() {}

  public static StatusRuntimeException of(Throwable e) {
    return status(e).asRuntimeException();
  }

  private static Status status(Throwable e) {
    if (e instanceof StatusRuntimeException s) {
      return s.getStatus();
    }
    if (e instanceof StatusException s) {
      return s.getStatus();
    }
    if (e instanceof NotFoundException) {
      return Status.NOT_FOUND.withDescription(e.getMessage());
    }
    if (e instanceof AlreadyExistsException) {
      return Status.ALREADY_EXISTS.withDescription(e.getMessage());
    }
    if (e instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
    }
    if (e instanceof LostPackageException) {
      // A version recorded without its bytes: the database lost them, or they predate it keeping them.
      log.error("a published package is missing", e);
      return Status.DATA_LOSS.withDescription(e.getMessage());
    }
    if (e instanceof IllegalStateException) {
      return Status.FAILED_PRECONDITION.withDescription(e.getMessage());
    }
    if (e instanceof JdbiException) {
      // The connection was lost or the pool is exhausted: the call may be retried.
      log.warn("database call failed", e);
      return Status.UNAVAILABLE.withDescription("database error: " + e.getMessage());
    }
    Throwable io = e instanceof UncheckedIOException u ? u.getCause() : e;
    if (io instanceof IOException) {
      log.error("package store failed", e);
      return Status.INTERNAL.withDescription("package store: " + e.getMessage());
    }
    log.error("call failed", e);
    return Status.INTERNAL.withDescription("internal error: " + e);
  }
}
