package io.feitian.fuxi.master.rpc;

import io.feitian.common.zk.FencedOutException;
import io.feitian.fuxi.master.term.TermClosedException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** The one place where exceptions become gRPC statuses. */
final class Errors {
  private Errors() {}

  static Status toStatus(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof StatusRuntimeException e) {
      return e.getStatus();
    }
    if (t instanceof StatusException e) {
      return e.getStatus();
    }
    if (t instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(t.getMessage());
    }
    if (t instanceof NoSuchElementException) {
      return Status.NOT_FOUND.withDescription(t.getMessage());
    }
    if (t instanceof IllegalStateException) {
      return Status.FAILED_PRECONDITION.withDescription(t.getMessage());
    }
    if (t instanceof FencedOutException || t instanceof TermClosedException) {
      return Status.UNAVAILABLE.withDescription(t.getMessage() + "; ask the new leader");
    }
    return Status.INTERNAL.withDescription(String.valueOf(t)).withCause(t);
  }
}
