package io.feitian.bench.dayu;

import io.feitian.proto.dayu.v1.AgentServiceGrpc;
import io.feitian.proto.dayu.v1.ModuleWork;
import io.feitian.proto.dayu.v1.NodeWork;
import io.feitian.proto.dayu.v1.RegisterRequest;
import io.feitian.proto.dayu.v1.StepReport;
import io.feitian.proto.dayu.v1.WatchRequest;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An agent at the protocol level only, for the benchmark: registers, keeps a Watch, and "runs" each
 * step of its work by waiting {@code stepMillis} before reporting it. Records when it received
 * work and when it reported the last step.
 */
final class ProtocolAgent implements AutoCloseable {
  /** Shared by every agent of the benchmark: steps are timers, not threads. */
  private static final ScheduledExecutorService STEPS = Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "bench-agent-steps");
    t.setDaemon(true);
    return t;
  });

  private final ManagedChannel channel;
  private final String cluster;
  private final String host;
  private final Map<String, String> installed;
  private final long stepMillis;
  private volatile CountDownLatch watching = new CountDownLatch(1);
  private Context.CancellableContext watch;
  private volatile long receivedAtNanos;
  private volatile long doneAtNanos;

  ProtocolAgent(ManagedChannel channel, String cluster, String host, Map<String, String> installed, long stepMillis) {
    this.channel = channel;
    this.cluster = cluster;
    this.host = host;
    this.installed = installed;
    this.stepMillis = stepMillis;
  }

  String host() {
    return host;
  }

  long receivedAtNanos() {
    return receivedAtNanos;
  }

  long doneAtNanos() {
    return doneAtNanos;
  }

  /** A full sync: registers again and reopens the Watch (the server then sends everything outstanding). */
  synchronized void sync() {
    if (watch != null) {
      watch.cancel(null);
    }
    CountDownLatch opened = new CountDownLatch(1);
    watching = opened;
    AgentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
        .register(RegisterRequest.newBuilder().setCluster(cluster).setHost(host).putAllInstalled(installed).build());
    watch = Context.current().withCancellation();
    watch.run(() -> AgentServiceGrpc.newStub(channel).watch(
        WatchRequest.newBuilder().setCluster(cluster).setHost(host).build(), new StreamObserver<>() {
          @Override
          public void onNext(NodeWork work) {
            opened.countDown();
            work.getWorkList().forEach(w -> {
              receivedAtNanos = System.nanoTime();
              step(w, w.getFirstStep());
            });
          }

          @Override
          public void onError(Throwable t) {
            opened.countDown();
          }

          @Override
          public void onCompleted() {
            opened.countDown();
          }
        }));
  }

  void awaitWatching() throws InterruptedException {
    if (!watching.await(120, TimeUnit.SECONDS)) {
      throw new IllegalStateException(host + " got nothing on its Watch in 120 s");
    }
  }

  private void step(ModuleWork w, int step) {
    if (step >= w.getStepsCount()) {
      return;
    }
    STEPS.schedule(() -> {
      if (step == w.getStepsCount() - 1) {
        // When the last report leaves: the server may start the next batch before it answers.
        doneAtNanos = System.nanoTime();
      }
      AgentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).reportStep(
          StepReport.newBuilder().setCluster(cluster).setHost(host).setRolloutId(w.getRolloutId())
              .setModule(w.getModule()).setToVersion(w.getToVersion()).setStep(step).setOk(true).build());
      step(w, step + 1);
    }, stepMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void close() {
    if (watch != null) {
      watch.cancel(null);
    }
  }
}
