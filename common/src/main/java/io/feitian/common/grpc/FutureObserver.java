package io.feitian.common.grpc;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/** A unary call's observer that completes a future: with the answer, or exceptionally with the refusal. */
public final class FutureObserver {
  private FutureObserver() {}

  public static <T> StreamObserver<T> completing(CompletableFuture<T> answer) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        answer.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        answer.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    };
  }
}
