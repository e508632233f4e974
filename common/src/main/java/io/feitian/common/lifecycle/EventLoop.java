package io.feitian.common.lifecycle;

import io.grpc.Status;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One thread that owns a component's state: RPC handlers, callbacks and timers hand it work, so
 * the state needs no locks. Work that throws is reported to the error handler and the loop goes
 * on; work handed to a closed loop is dropped (calls fail UNAVAILABLE).
 */
public class EventLoop implements AutoCloseable {
  private final String name;
  private final Consumer<RuntimeException> onError;
  private final ScheduledExecutorService loop;
  // Loop-owned: the one pending wake-up of wakeAt, and when it fires.
  private ScheduledFuture<?> wakeup;
  private long wakeupAtMillis = Long.MAX_VALUE;

  public EventLoop(String name, Consumer<RuntimeException> onError) {
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

  /**
   * Runs {@code work} at {@code atMillis} unless a wake-up at or before it is pending: for a core
   * that says when it next has something to do ({@code Long.MAX_VALUE}: nothing). Call on the loop;
   * {@code work} should end by asking again.
   */
  public void wakeAt(long atMillis, long nowMillis, Runnable work) {
    if (atMillis >= wakeupAtMillis) {
      return;
    }
    if (wakeup != null) {
      wakeup.cancel(false);
    }
    wakeupAtMillis = atMillis;
    if (atMillis == Long.MAX_VALUE) {
      return;
    }
    try {
      wakeup = loop.schedule(guard(() -> {
        wakeup = null;
        wakeupAtMillis = Long.MAX_VALUE;
        work.run();
      }), Math.max(0, atMillis - nowMillis), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException ignored) {
      // stopping
    }
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
