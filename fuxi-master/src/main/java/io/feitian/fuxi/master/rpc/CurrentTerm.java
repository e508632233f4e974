package io.feitian.fuxi.master.rpc;

import io.feitian.fuxi.master.term.LeaderTerm;
import io.grpc.Status;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import io.grpc.stub.StreamObserver;

/** Hands RPCs to the leader term in office, or refuses them as a standby would. */
public final class CurrentTerm {
  private final Supplier<LeaderTerm> term;
  private final Supplier<Status> refusal;

  /** @param refusal a standby's answer ({@link io.feitian.common.zk.LeaderElection#refusal}) */
  public CurrentTerm(Supplier<LeaderTerm> term, Supplier<Status> refusal) {
    this.term = term;
    this.refusal = refusal;
  }

  /** The term in office, or throws UNAVAILABLE naming the leader. */
  LeaderTerm require() {
    LeaderTerm t = term.get();
    if (t == null) {
      throw refusal.get().asRuntimeException();
    }
    return t;
  }

  /** Runs work on the term's loop and answers the unary call with its result. */
  <T, R> void unary(StreamObserver<R> response, Function<LeaderTerm, Callable<T>> work, Function<T, R> reply) {
    CompletableFuture<T> f;
    try {
      LeaderTerm t = require();
      f = t.call(work.apply(t));
    } catch (RuntimeException e) {
      response.onError(Errors.toStatus(e).asRuntimeException());
      return;
    }
    f.whenComplete((value, error) -> {
      if (error != null) {
        response.onError(Errors.toStatus(error).asRuntimeException());
      } else {
        response.onNext(reply.apply(value));
        response.onCompleted();
      }
    });
  }
}
