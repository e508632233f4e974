package io.feitian.service.master;

import io.feitian.client.AppStates;
import io.feitian.common.grpc.CallSettings;
import io.feitian.common.retry.Backoff;
import io.feitian.proto.fuxi.v1.TaskWorkerServiceGrpc;
import io.feitian.proto.fuxi.v1.WatchWorkersRequest;
import io.feitian.proto.fuxi.v1.WorkerInfo;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Streams of the application's worker processes from the nodes it holds
 * grants on (TaskWorkerService.WatchWorkers), so that a worker whose
 * process ended is known at once: its node saw it exit, so it can serve
 * nothing, and its partitions need not wait for its ZooKeeper session to
 * expire. Calls come from gRPC threads; {@code ended} must hand them on.
 */
final class NodeWatches implements AutoCloseable {
  private final String appId;
  private final Function<String, ManagedChannel> channels;
  private final CallSettings calls;
  private final ScheduledExecutorService timer;
  private final Consumer<WorkerInfo> ended;
  /** Node address -> the stream's cancellation. Guarded by this. */
  private final Map<String, Context.CancellableContext> watching = new HashMap<>();
  private boolean closed;

  NodeWatches(String appId, Function<String, ManagedChannel> channels, CallSettings calls,
      ScheduledExecutorService timer, Consumer<WorkerInfo> ended) {
    this.appId = appId;
    this.channels = channels;
    this.calls = calls;
    this.timer = timer;
    this.ended = ended;
  }

  /** Watches the node at {@code address}, unless it already is. */
  synchronized void watch(String address) {
    if (!closed && !watching.containsKey(address)) {
      open(address, new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5)));
    }
  }

  /** Stops watching a node the application no longer holds grants on. */
  synchronized void forget(String address) {
    Context.CancellableContext c = watching.remove(address);
    if (c != null) {
      c.cancel(null);
    }
  }

  private synchronized void open(String address, Backoff backoff) {
    Context.CancellableContext context = Context.current().withCancellation();
    watching.put(address, context);
    context.run(() -> calls.streaming(TaskWorkerServiceGrpc.newStub(channels.apply(address)))
        .watchWorkers(WatchWorkersRequest.newBuilder().setAppId(appId).build(), new StreamObserver<>() {
          @Override
          public void onNext(WorkerInfo w) {
            backoff.reset();
            if (!AppStates.running(w)) {
              ended.accept(w);
            }
          }

          @Override
          public void onError(Throwable t) {
            reopenLater(address, context, backoff);
          }

          @Override
          public void onCompleted() {
            reopenLater(address, context, backoff);
          }
        }));
  }

  /** The stream broke (node restarting, unreachable): watch again after a backoff, if still wanted. */
  private synchronized void reopenLater(String address, Context.CancellableContext context, Backoff backoff) {
    if (closed || watching.get(address) != context) {
      return;
    }
    timer.schedule(() -> {
      synchronized (this) {
        if (!closed && watching.get(address) == context) {
          open(address, backoff);
        }
      }
    }, backoff.nextDelayMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void close() {
    closed = true;
    watching.values().forEach(c -> c.cancel(null));
    watching.clear();
  }
}
