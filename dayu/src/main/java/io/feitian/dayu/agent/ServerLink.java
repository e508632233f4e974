package io.feitian.dayu.agent;

import io.feitian.common.grpc.CallSettings;
import io.feitian.common.grpc.LeaderFollower;
import io.feitian.common.grpc.StatusText;
import io.feitian.common.retry.Backoff;
import io.feitian.common.security.SecuritySettings;
import io.feitian.proto.dayu.v1.AgentServiceGrpc;
import io.feitian.proto.dayu.v1.ModuleWork;
import io.feitian.proto.dayu.v1.NodeWork;
import io.feitian.proto.dayu.v1.RegisterRequest;
import io.feitian.proto.dayu.v1.RegisterResponse;
import io.feitian.proto.dayu.v1.StepReport;
import io.feitian.proto.dayu.v1.WatchRequest;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's tie to dayu-server: registers the node with what is installed, keeps a Watch open
 * and hands each piece of work it carries to the node, and carries step reports up. The Watch is
 * reopened every full-sync period (with jitter), which makes the server send everything
 * outstanding again: a safety net under the stream. When the server goes away the link finds it
 * again with backoff (an elected server's standby names the leader, which the link follows at
 * once); reports wait for it, so none is lost to a restart or a failover.
 */
final class ServerLink extends LeaderFollower {
  private static final Logger log = LoggerFactory.getLogger(ServerLink.class);

  private final AgentSettings settings;
  private final CallSettings calls;
  private final NodeSteps node;
  private final Consumer<ModuleWork> work;
  private final Backoff reportBackoff;
  /** Called once a session registered and opened its Watch (the self-upgrade's confirmation). */
  private final Runnable following;
  /** The channel of the current session, for reports from the worker's thread. */
  private volatile ManagedChannel current;

  /**
   * @param leader where dayu-server is: the configured address, or the elected server's (ZooKeeper)
   * @param following called on the link's thread each time a session registered and opened its Watch
   */
  ServerLink(AgentSettings settings, Supplier<Optional<String>> leader, SecuritySettings security,
      CallSettings calls, NodeSteps node, Consumer<ModuleWork> work, Runnable following) {
    super("dayu-server-link", "dayu-server", leader, security,
        new Backoff(settings.reconnectBackoff(), settings.reconnectBackoffMax()));
    this.settings = settings;
    this.calls = calls;
    this.node = node;
    this.work = work;
    this.reportBackoff = new Backoff(settings.reconnectBackoff(), settings.reconnectBackoffMax());
    this.following = following;
  }

  @Override
  protected void session(String target) throws InterruptedException {
    ManagedChannel ch = channel(target);
    RegisterResponse registered = calls.unary(AgentServiceGrpc.newBlockingStub(ch)).register(RegisterRequest
        .newBuilder().setCluster(settings.cluster()).setHost(settings.host()).putAllInstalled(node.installed())
        .build());
    node.registered(settings.host(), registered.getRack());
    CountDownLatch ended = new CountDownLatch(1);
    AtomicReference<Status> endStatus = new AtomicReference<>(Status.OK);
    Context.CancellableContext watch = Context.current().withCancellation();
    watch.run(() -> calls.streaming(AgentServiceGrpc.newStub(ch)).watch(
        WatchRequest.newBuilder().setCluster(settings.cluster()).setHost(settings.host()).build(),
        new StreamObserver<NodeWork>() {
          @Override
          public void onNext(NodeWork w) {
            w.getWorkList().forEach(work);
          }

          @Override
          public void onError(Throwable t) {
            endStatus.set(Status.fromThrowable(t));
            ended.countDown();
          }

          @Override
          public void onCompleted() {
            ended.countDown();
          }
        }));
    current = ch;
    established(target);
    log.info("following dayu-server {} as node {} of cluster {}", target, settings.host(), settings.cluster());
    following.run();
    long full = settings.fullSync().toMillis();
    try {
      if (!ended.await(full + ThreadLocalRandom.current().nextLong(full / 5 + 1), TimeUnit.MILLISECONDS)) {
        log.debug("full sync: reopening the Watch");
        return;
      }
    } finally {
      watch.cancel(null);
    }
    if (running()) {
      log.info("Watch on dayu-server {} ended: {}", target, StatusText.brief(endStatus.get()));
      if (!follow(target, endStatus.get())) {
        pause();
      }
    }
  }

  /** The current session's channel; null between sessions. */
  ManagedChannel channel() {
    return current;
  }

  /**
   * Reports one step, trying until the server takes it or the agent stops: a report lost to a
   * server restart would leave the task waiting for its timeout. Returns whether it was taken.
   */
  boolean report(StepReport report) throws InterruptedException {
    StepReport r = report.toBuilder().setCluster(settings.cluster()).setHost(settings.host()).build();
    while (running()) {
      ManagedChannel ch = current;
      if (ch != null) {
        try {
          calls.unary(AgentServiceGrpc.newBlockingStub(ch)).reportStep(r);
          reportBackoff.reset();
          return true;
        } catch (StatusRuntimeException e) {
          log.info("step report for {} {} step {} not taken, retrying: {}", r.getModule(), r.getToVersion(),
              r.getStep(), StatusText.brief(e.getStatus()));
        }
      }
      TimeUnit.MILLISECONDS.sleep(reportBackoff.nextDelayMillis());
    }
    return false;
  }
}
