package io.feitian.bench.e2e;

import io.feitian.common.lifecycle.EventLoop;
import io.feitian.proto.shennong.v1.AgentHello;
import io.feitian.proto.shennong.v1.AgentMessage;
import io.feitian.proto.shennong.v1.AgentStatus;
import io.feitian.proto.shennong.v1.MasterMessage;
import io.feitian.proto.shennong.v1.MasterServiceGrpc;
import io.feitian.proto.shennong.v1.PartialReport;
import io.feitian.proto.shennong.v1.SubscriptionRefused;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.shennong.exec.SubscriptionRunner;
import io.feitian.shennong.series.EventLog;
import io.feitian.shennong.series.SeriesStore;
import io.feitian.shennong.series.StoreLimits;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A shennong-agent without its node: the agent's real core (a {@code SeriesStore} and the
 * {@code SubscriptionRunner} that executes subscriptions next to the data) on its own loop thread,
 * as the agent keeps it, and a real session stream to the master over its own connection, but no
 * ZooKeeper session, no gRPC server and no Write hop (the benchmark hands writes to the loop
 * directly), so that hundreds fit in one JVM on this machine, as {@link SimNodes} does for
 * task-workers. The agent's own write path is measured by {@code AgentIngestBenchmark}.
 */
final class SimAgent {
  // The agent's defaults: the evaluation delay adapts to the samples' lag between the two.
  private static final long EVALUATION_DELAY_MIN_MS = 5;
  private static final long EVALUATION_DELAY_MS = 50;
  private static final long RECONNECT_MS = 200; // the agent's default first backoff

  private final String nodeId;
  private final String rack;
  private final AtomicLong sessionErrors;
  private final ManagedChannel channel;
  private final EventLoop loop;
  // Loop-owned.
  private final SubscriptionRunner runner;
  private StreamObserver<AgentMessage> toMaster;
  private long session; // the session the loop's stream belongs to; a timer of an older one stops
  private boolean closed;

  /** An agent with its own connection to the master at {@code master}, as on its own node. */
  SimAgent(String nodeId, String rack, String master, AtomicLong sessionErrors, AtomicLong loopErrors) {
    this.nodeId = nodeId;
    this.rack = rack;
    this.sessionErrors = sessionErrors;
    this.channel = NettyChannelBuilder.forTarget(master).usePlaintext().build();
    // A failed step of the simulated agent is a defect of the benchmark: counted and shown once, never silent.
    this.loop = new EventLoop("sim-agent-" + nodeId, e -> {
      if (loopErrors.getAndIncrement() == 0) {
        System.err.println("a simulated agent's loop failed (later failures are only counted):");
        e.printStackTrace();
      }
    });
    this.runner = new SubscriptionRunner(new SeriesStore(StoreLimits.DEFAULT), new EventLog(600_000, 10_000),
        EVALUATION_DELAY_MIN_MS, EVALUATION_DELAY_MS, System.currentTimeMillis(), new SubscriptionRunner.Outbox() {
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
  void connect() {
    loop.post(this::openSession);
  }

  private void openSession() {
    if (closed) {
      return;
    }
    long id = ++session;
    toMaster = MasterServiceGrpc.newStub(channel).agentSession(new StreamObserver<>() {
      @Override
      public void onNext(MasterMessage m) {
        loop.post(() -> taken(id, m));
      }

      @Override
      public void onError(Throwable t) {
        loop.post(() -> ended(id));
      }

      @Override
      public void onCompleted() {
        loop.post(() -> ended(id));
      }
    });
    toMaster.onNext(AgentMessage.newBuilder().setHello(AgentHello.newBuilder().setNodeId(nodeId)
        .setAddress(nodeId + ":7300").setRack(rack).setIncarnation(System.currentTimeMillis())
        .setRetentionMs(StoreLimits.DEFAULT.retentionMs()).setStatus(status())).build());
  }

  private void ended(long id) {
    if (id != session) {
      return;
    }
    sessionErrors.incrementAndGet();
    session++; // stops the ended session's status timer
    runner.clear();
    loop.after(RECONNECT_MS, this::openSession);
  }

  void close() {
    loop.post(() -> closed = true);
    channel.shutdownNow();
    loop.close();
  }

  private void taken(long id, MasterMessage m) {
    if (id != session) {
      return;
    }
    long now = System.currentTimeMillis();
    if (m.hasAccepted()) {
      runner.startSession(m.getAccepted().getReportGraceMs());
      sendStatusEvery(id, Math.max(10, m.getAccepted().getStatusIntervalMs()));
    } else if (m.hasCommand() && m.getCommand().hasAdd()) {
      runner.add(m.getCommand().getAdd(), now);
      scheduleWakeup(now);
    } else if (m.hasCommand() && m.getCommand().hasRemove()) {
      runner.remove(m.getCommand().getRemove().getSubscriptionId());
    }
  }

  /** What an application wrote to this agent, handed to the agent's loop. */
  void write(WriteRequest request) {
    loop.post(() -> {
      long now = System.currentTimeMillis();
      runner.write(request, now);
      scheduleWakeup(now);
    });
  }

  private void sendStatusEvery(long id, long intervalMs) {
    loop.after(intervalMs, () -> {
      if (id == session) {
        toMaster.onNext(AgentMessage.newBuilder().setStatus(status()).build());
        sendStatusEvery(id, intervalMs);
      }
    });
  }

  private AgentStatus status() {
    SeriesStore store = runner.store();
    return AgentStatus.newBuilder().addAllSeriesNames(store.seriesNames()).setSeries(store.seriesCount())
        .setSubscriptions(runner.size()).build();
  }

  /** As the agent: a wake-up when the runner next has a window to evaluate. */
  private void scheduleWakeup(long nowMs) {
    loop.wakeAt(runner.nextDueMs(nowMs), nowMs, this::runDue);
  }

  private void runDue() {
    long now = System.currentTimeMillis();
    runner.runDue(now);
    scheduleWakeup(now);
  }
}
