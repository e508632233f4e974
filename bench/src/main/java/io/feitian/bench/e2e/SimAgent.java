package io.feitian.bench.e2e;

import io.feitian.proto.shennong.v1.AgentHello;
import io.feitian.proto.shennong.v1.AgentMessage;
import io.feitian.proto.shennong.v1.AgentStatus;
import io.feitian.proto.shennong.v1.MasterMessage;
import io.feitian.proto.shennong.v1.MasterServiceGrpc;
import io.feitian.proto.shennong.v1.PartialReport;
import io.feitian.proto.shennong.v1.SubscriptionRefused;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.shennong.exec.SubscriptionRunner;
import io.feitian.shennong.series.SeriesStore;
import io.feitian.shennong.series.StoreLimits;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A shennong-agent without its node: the agent's real core (a {@code SeriesStore} and the
 * {@code SubscriptionRunner} that executes subscriptions next to the data) and a real session
 * stream to the master over gRPC, but no ZooKeeper session, no gRPC server and no Write hop (the
 * benchmark writes into the core directly), so that hundreds fit in one JVM on this machine, as
 * {@link SimNodes} does for task-workers. The agent's own write path is measured by
 * {@code AgentIngestBenchmark}. Everything of one agent runs under its monitor, on the shared
 * timer or the gRPC thread that delivers the master's messages.
 */
final class SimAgent {
  private static final long EVALUATION_DELAY_MS = 50; // the agent's default
  private static final long RECONNECT_MS = 200; // the agent's default first backoff

  private final String nodeId;
  private final String rack;
  private final ScheduledExecutorService timer;
  private final AtomicLong sessionErrors;
  private final SubscriptionRunner runner;
  private final ManagedChannel channel;
  private StreamObserver<AgentMessage> toMaster;
  private ScheduledFuture<?> statusTask;
  private ScheduledFuture<?> wakeup;
  private long wakeupAtMs = Long.MAX_VALUE;

  /** An agent with its own connection to the master at {@code master}, as on its own node. */
  SimAgent(String nodeId, String rack, String master, ScheduledExecutorService timer, AtomicLong sessionErrors) {
    this.channel = NettyChannelBuilder.forTarget(master).usePlaintext().build();
    this.nodeId = nodeId;
    this.rack = rack;
    this.timer = timer;
    this.sessionErrors = sessionErrors;
    this.runner = new SubscriptionRunner(new SeriesStore(StoreLimits.DEFAULT), EVALUATION_DELAY_MS,
        System.currentTimeMillis(), new SubscriptionRunner.Outbox() {
          @Override
          public void report(PartialReport report) {
            toMaster.onNext(AgentMessage.newBuilder().setReport(report).build());
          }

          @Override
          public void refused(String subscriptionId, String reason) {
            toMaster.onNext(AgentMessage.newBuilder().setRefused(SubscriptionRefused.newBuilder()
                .setSubscriptionId(subscriptionId).setReason(reason)).build());
          }
        });
  }

  /**
   * Opens a session: hello, then the master's acceptance and commands as they come. When the
   * session ends, the agent drops its subscriptions and opens a new one (the master pushes them
   * again), as a real agent does.
   */
  synchronized void connect() {
    if (channel.isShutdown()) {
      return;
    }
    toMaster = MasterServiceGrpc.newStub(channel).agentSession(new StreamObserver<>() {
      @Override
      public void onNext(MasterMessage m) {
        taken(m);
      }

      @Override
      public void onError(Throwable t) {
        ended();
      }

      @Override
      public void onCompleted() {
        ended();
      }
    });
    toMaster.onNext(AgentMessage.newBuilder().setHello(AgentHello.newBuilder().setNodeId(nodeId)
        .setAddress(nodeId + ":7300").setRack(rack).setIncarnation(System.currentTimeMillis())
        .setRetentionMs(StoreLimits.DEFAULT.retentionMs()).setStatus(status())).build());
  }

  private synchronized void ended() {
    sessionErrors.incrementAndGet();
    if (statusTask != null) {
      statusTask.cancel(false);
    }
    runner.clear();
    if (!channel.isShutdown()) {
      timer.schedule(this::connect, RECONNECT_MS, TimeUnit.MILLISECONDS);
    }
  }

  void close() {
    channel.shutdownNow();
  }

  private synchronized void taken(MasterMessage m) {
    long now = System.currentTimeMillis();
    if (m.hasAccepted()) {
      runner.startSession(m.getAccepted().getReportGraceMs());
      long interval = Math.max(10, m.getAccepted().getStatusIntervalMs());
      statusTask = timer.scheduleAtFixedRate(this::sendStatus, interval, interval, TimeUnit.MILLISECONDS);
    } else if (m.hasCommand() && m.getCommand().hasAdd()) {
      runner.add(m.getCommand().getAdd(), now);
      scheduleWakeup(now);
    } else if (m.hasCommand() && m.getCommand().hasRemove()) {
      runner.remove(m.getCommand().getRemove().getSubscriptionId());
    }
  }

  /** What an application wrote to this agent, as the agent's loop takes it. */
  synchronized void write(WriteRequest request) {
    long now = System.currentTimeMillis();
    runner.write(request, now);
    scheduleWakeup(now);
  }

  private synchronized void sendStatus() {
    toMaster.onNext(AgentMessage.newBuilder().setStatus(status()).build());
  }

  private AgentStatus status() {
    SeriesStore store = runner.store();
    return AgentStatus.newBuilder().addAllSeriesNames(store.seriesNames()).setSeries(store.seriesCount())
        .setSubscriptions(runner.size()).build();
  }

  /** As the agent: a wake-up when the runner next has a window to evaluate. */
  private void scheduleWakeup(long nowMs) {
    long due = runner.nextDueMs();
    if (due >= wakeupAtMs) {
      return;
    }
    if (wakeup != null) {
      wakeup.cancel(false);
    }
    wakeupAtMs = due;
    if (due != Long.MAX_VALUE) {
      wakeup = timer.schedule(this::runDue, Math.max(0, due - nowMs), TimeUnit.MILLISECONDS);
    }
  }

  private synchronized void runDue() {
    long now = System.currentTimeMillis();
    wakeupAtMs = Long.MAX_VALUE;
    runner.runDue(now);
    scheduleWakeup(now);
  }
}
