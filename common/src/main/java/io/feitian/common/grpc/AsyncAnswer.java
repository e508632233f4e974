package io.feitian.common.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Answers a call from work that completes later, on a daemon's loop (a monitor-service's or an
 * analysis-service's term): the value, or the status its failure maps to. The work's checks throw
 * IllegalArgumentException for the caller's input (its message names the field) and
 * NoSuchElementException for what is not there; a StatusRuntimeException (UNAVAILABLE from a
 * standby) passes as it is.
 */
public final class AsyncAnswer {
  private AsyncAnswer() {}

  /** Answers with {@code toResponse} of the work's value. */
  public static <T, R> void answer(StreamObserver<R> response, Supplier<CompletableFuture<T>> call,
      Function<T, R> toResponse) {
    answer(response, call, (value, out) -> out.onNext(toResponse.apply(value)));
  }

  /** Answers with what {@code send} puts on the stream for the work's value (several messages for a stream). */
  public static <T, R> void answer(StreamObserver<R> response, Supplier<CompletableFuture<T>> call,
      BiConsumer<T, StreamObserver<R>> send) {
    CompletableFuture<T> f;
    try {
      f = call.get();
    } catch (RuntimeException e) {
      response.onError(status(e).asRuntimeException());
      return;
    }
    f.whenComplete((value, error) -> {
      if (error != null) {
        response.onError(status(error).asRuntimeException());
      } else {
        send.accept(value, response);
        response.onCompleted();
      }
    });
  }

  public static Status status(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof StatusRuntimeException e) {
      return e.getStatus();
    }
    if (t instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(t.getMessage());
    }
    if (t instanceof NoSuchElementException) {
      return Status.NOT_FOUND.withDescription(t.getMessage());
    }
    return Status.INTERNAL.withDescription(String.valueOf(t)).withCause(t);
  }
}
