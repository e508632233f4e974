package io.feitian.taskworker.rpc;

import io.feitian.proto.fuxi.v1.KillRequest;
import io.feitian.proto.fuxi.v1.LaunchRequest;
import io.feitian.proto.fuxi.v1.LaunchResponse;
import io.feitian.proto.fuxi.v1.ListWorkersRequest;
import io.feitian.proto.fuxi.v1.ListWorkersResponse;
import io.feitian.proto.fuxi.v1.TaskWorkerServiceGrpc;
import io.feitian.proto.fuxi.v1.WatchWorkersRequest;
import io.feitian.proto.fuxi.v1.WorkerInfo;
import io.feitian.taskworker.TaskWorker;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;

/** The node's API for masters: launch, kill, list and watch workers. */
public final class TaskWorkerServiceImpl extends TaskWorkerServiceGrpc.TaskWorkerServiceImplBase {
  /** How long a launch waits for its grant's announcement when the call has no deadline. */
  private static final long DEFAULT_GRANT_WAIT_MS = 5000;

  private final TaskWorker node;

  public TaskWorkerServiceImpl(TaskWorker node) {
    this.node = node;
  }

  @Override
  public void launch(LaunchRequest request, StreamObserver<LaunchResponse> response) {
    try {
      var deadline = Context.current().getDeadline();
      long waitNanos = deadline == null ? TimeUnit.MILLISECONDS.toNanos(DEFAULT_GRANT_WAIT_MS)
          : Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS) - TimeUnit.MILLISECONDS.toNanos(100));
      WorkerInfo w = node.launch(request, System.nanoTime() + waitNanos);
      response.onNext(LaunchResponse.newBuilder().setWorker(w).build());
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(toStatus(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      response.onError(Status.CANCELLED.withDescription("interrupted").asRuntimeException());
    }
  }

  @Override
  public void kill(KillRequest request, StreamObserver<WorkerInfo> response) {
    try {
      if (request.getGraceMs() < 0) {
        throw new IllegalArgumentException("grace_ms must be >= 0, got " + request.getGraceMs());
      }
      Duration grace = request.getGraceMs() == 0 ? null : Duration.ofMillis(request.getGraceMs());
      response.onNext(node.kill(request.getWorkerId(), grace));
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(toStatus(e));
    }
  }

  @Override
  public void listWorkers(ListWorkersRequest request, StreamObserver<ListWorkersResponse> response) {
    response.onNext(ListWorkersResponse.newBuilder().addAllWorkers(node.workers(request.getAppId())).build());
    response.onCompleted();
  }

  @Override
  public void watchWorkers(WatchWorkersRequest request, StreamObserver<WorkerInfo> response) {
    ServerCallStreamObserver<WorkerInfo> out = (ServerCallStreamObserver<WorkerInfo>) response;
    Runnable unsubscribe = node.watch(request.getAppId(), w -> {
      synchronized (out) {
        if (!out.isCancelled()) {
          out.onNext(w);
        }
      }
    });
    out.setOnCancelHandler(unsubscribe::run);
  }

  private static StatusRuntimeException toStatus(RuntimeException e) {
    if (e instanceof StatusRuntimeException s) {
      return s;
    }
    if (e instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
    }
    if (e instanceof NoSuchElementException) {
      return Status.NOT_FOUND.withDescription(e.getMessage()).asRuntimeException();
    }
    if (e instanceof IllegalStateException) {
      return Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException();
    }
    return Status.INTERNAL.withDescription(e.toString()).asRuntimeException();
  }
}
