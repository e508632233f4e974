package io.feitian.testkit;

import io.feitian.proto.dayu.v1.AgentServiceGrpc;
import io.feitian.proto.dayu.v1.ModuleWork;
import io.feitian.proto.dayu.v1.NodeWork;
import io.feitian.proto.dayu.v1.RegisterRequest;
import io.feitian.proto.dayu.v1.StepReport;
import io.feitian.proto.dayu.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A dayu-agent as dayu-server sees it, speaking the real protocol over gRPC: it registers, keeps a
 * Watch open (reconnecting when the server goes away), runs the steps of each piece of work in
 * order (each step only notes that it ran: the node side is tested in the agent's own tests) and
 * reports them, retrying a report until the server takes it. A step can be made to fail, or to hold
 * until released. Every step it ever ran is kept, so a test can check that none ran twice. Given
 * several servers (an elected one and its standbys), it follows a standby's "leader=host:port"
 * hint and otherwise tries the next server. Used by dayu's rollout tests and by the
 * {@code feitian dayu} CLI's; plaintext only.
 */
public final class SimAgent implements AutoCloseable {
  /** A global order over every agent's steps, to check batches did not overlap. */
  private static final AtomicLong SEQUENCE = new AtomicLong();

  public record Ran(long seq, long rolloutId, String module, String toVersion, int step) {}

  /** A standby's UNAVAILABLE names the leader so (common's LeaderHint, which testkit does not see). */
  private static final Pattern LEADER_HINT = Pattern.compile("leader=([^\\s;]+)");

  private final String cluster;
  private final String host;
  private final List<String> targets;
  /** One channel per server, and the one in use (changed by the connector's thread only). */
  private final Map<String, ManagedChannel> channels = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile String target;
  private final ExecutorService worker;
  private final ScheduledExecutorService connector;
  private final Map<String, String> installed = new TreeMap<>();
  private final List<Ran> ran = new ArrayList<>();
  /** Steps done per piece of work ("rollout module version"), so a re-sent piece resumes after them. */
  private final Map<String, Integer> done = new HashMap<>();
  private final Set<String> running = new HashSet<>();
  private final Set<String> failing = new HashSet<>();
  private final Map<String, CountDownLatch> holds = new HashMap<>();
  private volatile boolean closed;
  /** Whether a Watch is open and the server has sent on it (it always sends the outstanding work first). */
  private volatile boolean watching;

  public SimAgent(String target, String cluster, String host, Map<String, String> installed) {
    this(List.of(target), cluster, host, installed);
  }

  /** An agent of servers elected among {@code targets}: it starts with the first. */
  public SimAgent(List<String> targets, String cluster, String host, Map<String, String> installed) {
    this.cluster = cluster;
    this.host = host;
    this.installed.putAll(installed);
    this.targets = List.copyOf(targets);
    this.target = targets.get(0);
    this.worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "sim-agent-" + host));
    // Apart from the worker, so that an agent busy with a step still reconnects.
    this.connector = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "sim-agent-connect-" + host));
    connector.execute(this::connect);
  }

  /** Step {@code step} of the work taking {@code module} to {@code version} fails. */
  public synchronized SimAgent failAt(String module, String version, int step) {
    failing.add(module + " " + version + " " + step);
    return this;
  }

  /** Step {@code step} of that work waits for {@link CountDownLatch#countDown()} on the returned latch. */
  public synchronized CountDownLatch holdAt(String module, String version, int step) {
    return holds.computeIfAbsent(module + " " + version + " " + step, k -> new CountDownLatch(1));
  }

  public synchronized Map<String, String> installed() {
    return Map.copyOf(installed);
  }

  public synchronized List<Ran> ran() {
    return List.copyOf(ran);
  }

  /** The steps this agent ran more than once ("rollout module version step"): none, when the server resumes right. */
  public synchronized List<String> stepsRunTwice() {
    Set<String> seen = new HashSet<>();
    List<String> twice = new ArrayList<>();
    for (Ran r : ran) {
      String step = r.rolloutId() + " " + r.module() + " " + r.toVersion() + " " + r.step();
      if (!seen.add(step)) {
        twice.add(host + ": " + step);
      }
    }
    return twice;
  }

  public boolean watching() {
    return watching;
  }

  public String host() {
    return host;
  }

  private ManagedChannel channel() {
    return channels.computeIfAbsent(target, t -> ManagedChannelBuilder.forTarget(t).usePlaintext().build());
  }

  private AgentServiceGrpc.AgentServiceBlockingStub stub() {
    return AgentServiceGrpc.newBlockingStub(channel()).withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  /** After a failure: the leader a standby named, else the next server. Connector's thread only. */
  private void nextTarget(Throwable failure) {
    Status status = Status.fromThrowable(failure);
    Matcher hint = status.getDescription() == null ? null : LEADER_HINT.matcher(status.getDescription());
    if (status.getCode() == Status.Code.UNAVAILABLE && hint != null && hint.find()) {
      target = hint.group(1);
    } else {
      target = targets.get((targets.indexOf(target) + 1) % targets.size());
    }
  }

  /** Registers and opens the Watch; on any failure, tries again shortly (the server restarting). */
  private void connect() {
    if (closed) {
      return;
    }
    try {
      stub().register(RegisterRequest.newBuilder().setCluster(cluster).setHost(host).putAllInstalled(installed())
          .build());
    } catch (StatusRuntimeException e) {
      retryConnect(e);
      return;
    }
    AgentServiceGrpc.newStub(channel()).watch(WatchRequest.newBuilder().setCluster(cluster).setHost(host).build(),
        new StreamObserver<>() {
          @Override
          public void onNext(NodeWork work) {
            watching = true;
            work.getWorkList().forEach(w -> worker.execute(() -> run(w)));
          }

          @Override
          public void onError(Throwable t) {
            watching = false;
            retryConnect(t);
          }

          @Override
          public void onCompleted() {
            watching = false;
            retryConnect(null);
          }
        });
  }

  /** Connects again shortly, after {@code failure} (if any) to the server it points to. */
  private void retryConnect(Throwable failure) {
    try {
      if (!closed) {
        connector.schedule(() -> {
          if (failure != null) {
            nextTarget(failure);
          }
          connect();
        }, 200, TimeUnit.MILLISECONDS);
      }
    } catch (RejectedExecutionException stopping) {
      // closed meanwhile
    }
  }

  private void run(ModuleWork w) {
    String key = w.getRolloutId() + " " + w.getModule() + " " + w.getToVersion();
    synchronized (this) {
      if (!running.add(key)) {
        return;
      }
    }
    try {
      for (int step = Math.max(w.getFirstStep(), doneOf(key)); step < w.getStepsCount() && !closed; step++) {
        String at = w.getModule() + " " + w.getToVersion() + " " + step;
        CountDownLatch hold;
        boolean fail;
        synchronized (this) {
          hold = holds.get(at);
          fail = failing.contains(at);
          ran.add(new Ran(SEQUENCE.incrementAndGet(), w.getRolloutId(), w.getModule(), w.getToVersion(), step));
        }
        if (hold != null) {
          hold.await();
        }
        if (!fail) {
          synchronized (this) {
            done.put(key, step + 1);
            if (step == w.getStepsCount() - 1) {
              if (w.getToVersion().isEmpty()) {
                installed.remove(w.getModule());
              } else {
                installed.put(w.getModule(), w.getToVersion());
              }
            }
          }
        }
        report(w, step, !fail);
        if (fail) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      synchronized (this) {
        running.remove(key);
      }
    }
  }

  private synchronized int doneOf(String key) {
    return done.getOrDefault(key, 0);
  }

  /** Reports a step until the server takes it: a real agent must not lose a report to a restart. */
  private void report(ModuleWork w, int step, boolean ok) throws InterruptedException {
    StepReport r = StepReport.newBuilder().setCluster(cluster).setHost(host).setRolloutId(w.getRolloutId())
        .setModule(w.getModule()).setToVersion(w.getToVersion()).setStep(step).setOk(ok)
        .setDetail(ok ? "" : "step " + step + " failed on purpose").build();
    while (!closed) {
      try {
        stub().reportStep(r);
        return;
      } catch (StatusRuntimeException e) {
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    synchronized (this) {
      holds.values().forEach(CountDownLatch::countDown);
    }
    connector.shutdownNow();
    worker.shutdownNow();
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
