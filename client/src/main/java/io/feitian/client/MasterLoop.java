package io.feitian.client;

import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.fuxi.v1.RevokeReason;
import io.grpc.Status;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The one thread an application master keeps its state on: RPC handlers,
 * Fuxi's callbacks and timers hand it work, so the state needs no locks.
 * Work that throws is reported to the error handler and the loop goes on;
 * work handed to a closed loop is dropped (calls fail UNAVAILABLE).
 */
public final class MasterLoop implements AutoCloseable {
  private final String name;
  private final Consumer<RuntimeException> onError;
  private final ScheduledExecutorService loop;

  public MasterLoop(String name, Consumer<RuntimeException> onError) {
    this.name = name;
    this.onError = onError;
    this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name + "-loop");
      t.setDaemon(true);
      return t;
    });
  }

  /** Runs {@code work} on the loop; the future completes with its result or its exception. */
  public <T> CompletableFuture<T> call(Callable<T> work) {
    CompletableFuture<T> f = new CompletableFuture<>();
    try {
      loop.execute(() -> {
        try {
          f.complete(work.call());
        } catch (Throwable t) {
          f.completeExceptionally(t);
        }
      });
    } catch (RejectedExecutionException e) {
      f.completeExceptionally(Status.UNAVAILABLE.withDescription(name + " is stopping").asRuntimeException());
    }
    return f;
  }

  public void post(Runnable work) {
    try {
      loop.execute(guard(work));
    } catch (RejectedExecutionException ignored) {
      // stopping
    }
  }

  /** A session listener whose calls run {@code onLoop}'s methods on this loop. */
  public AppMasterSession.Listener listener(AppMasterSession.Listener onLoop) {
    return new AppMasterSession.Listener() {
      @Override
      public void granted(List<Grant> grants) {
        post(() -> onLoop.granted(grants));
      }

      @Override
      public void revoked(List<Long> grantIds, RevokeReason reason, String detail) {
        post(() -> onLoop.revoked(grantIds, reason, detail));
      }

      @Override
      public void attached(long epoch) {
        post(() -> onLoop.attached(epoch));
      }

      @Override
      public void ended(Status status) {
        post(() -> onLoop.ended(status));
      }

      @Override
      public void superseded(Status status) {
        post(() -> onLoop.superseded(status));
      }

      @Override
      public void nodes(java.util.Map<String, String> usable) {
        post(() -> onLoop.nodes(usable));
      }
    };
  }

  /** Runs {@code work} once, after {@code delayMillis}. */
  public void after(long delayMillis, Runnable work) {
    try {
      loop.schedule(guard(work), delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException ignored) {
      // stopping
    }
  }

  /** Runs {@code work} every {@code periodMillis}, first after {@code initialMillis}. */
  public void every(long initialMillis, long periodMillis, Runnable work) {
    loop.scheduleWithFixedDelay(guard(work), initialMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  private Runnable guard(Runnable work) {
    return () -> {
      try {
        work.run();
      } catch (RuntimeException e) {
        onError.accept(e);
      }
    };
  }

  /** Stops taking work; what is queued is dropped. Safe to call from the loop itself. */
  @Override
  public void close() {
    loop.shutdownNow();
  }
}
