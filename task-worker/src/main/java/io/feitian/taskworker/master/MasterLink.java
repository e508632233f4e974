package io.feitian.taskworker.master;

import io.feitian.common.grpc.CallSettings;
import io.feitian.common.grpc.Channels;
import io.feitian.common.grpc.LeaderHint;
import io.feitian.common.grpc.StatusText;
import io.feitian.common.retry.Backoff;
import io.feitian.common.security.SecuritySettings;
import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.fuxi.v1.NodeDirective;
import io.feitian.proto.fuxi.v1.NodeHeartbeat;
import io.feitian.proto.fuxi.v1.NodeServiceGrpc;
import io.feitian.proto.fuxi.v1.RegisterNodeRequest;
import io.feitian.proto.fuxi.v1.RegisterNodeResponse;
import io.feitian.proto.fuxi.v1.WorkerInfo;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's tie to the fuxi-master leader: finds the leader (a standby's
 * hint first, then ZooKeeper), registers with everything the node holds,
 * keeps the heartbeat stream, and applies the leader's directives. When the
 * leader goes away it finds the next one and registers again; running
 * workers are never touched by a failover.
 */
public final class MasterLink implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MasterLink.class);

  /** The node as the link sees it. Calls come from the link's thread or gRPC threads. */
  public interface NodeView {
    RegisterNodeRequest registration();

    List<WorkerInfo> workers();

    void granted(List<Grant> grants);

    void revoked(List<Long> grantIds, String reason);

    /** Epoch bookkeeping: false if {@code epoch} is older than one already seen. */
    boolean observeEpoch(long epoch);

    /** Registered with the leader at the end of {@code leader}; called on the link's thread: do not block. */
    default void registered(Channel leader) {}

    /** These applications ended (the leader says so); called on a gRPC thread: do not block. */
    default void appsEnded(List<String> appIds) {}
  }

  private enum State { LATENT, STARTED, CLOSED }

  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private final Supplier<Optional<String>> leaderFromZk;
  private final SecuritySettings security;
  private final CallSettings calls;
  private final NodeView node;
  /** Touched only by the link's thread. */
  private final Backoff backoff;
  private final Map<String, ManagedChannel> channels = new HashMap<>();
  private final Semaphore wakeups = new Semaphore(0);
  private final Thread thread;
  private volatile String leaderHint;
  private volatile long epoch;
  private volatile String connectedTo;

  public MasterLink(Supplier<Optional<String>> leaderFromZk, SecuritySettings security, CallSettings calls, NodeView node,
      Backoff backoff) {
    this.leaderFromZk = leaderFromZk;
    this.security = security;
    this.calls = calls;
    this.node = node;
    this.backoff = backoff;
    this.thread = new Thread(this::run, "master-link");
    this.thread.setDaemon(true);
  }

  public void start() {
    if (!state.compareAndSet(State.LATENT, State.STARTED)) {
      throw new IllegalStateException("already started");
    }
    thread.start();
  }

  /** Worker states changed: send a heartbeat now rather than at the next interval. */
  public void wake() {
    wakeups.release();
  }

  /** The leader this node is registered with, if any. */
  public Optional<String> leader() {
    return Optional.ofNullable(connectedTo);
  }

  public long epoch() {
    return epoch;
  }

  private void run() {
    while (state.get() == State.STARTED) {
      String target = leaderHint != null ? leaderHint : leaderFromZk.get().orElse(null);
      leaderHint = null;
      if (target == null) {
        pause();
        continue;
      }
      try {
        session(target);
      } catch (StatusRuntimeException e) {
        Optional<String> hint = LeaderHint.parse(e.getStatus());
        if (hint.isPresent() && !hint.get().equals(target)) {
          leaderHint = hint.get();
          continue;
        }
        log.info("master {} not usable: {}", target, StatusText.brief(e.getStatus()));
        pause();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("link to master {} failed", target, e);
        pause();
      } finally {
        connectedTo = null;
      }
    }
  }

  private void pause() {
    try {
      Thread.sleep(backoff.nextDelayMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      state.set(State.CLOSED);
    }
  }

  /** One registration and its heartbeat stream, until the stream ends. */
  private void session(String target) throws InterruptedException {
    ManagedChannel ch = channels.computeIfAbsent(target, a -> Channels.open(a, security));
    RegisterNodeResponse reg = calls.unary(NodeServiceGrpc.newBlockingStub(ch)).register(node.registration());
    if (!node.observeEpoch(reg.getEpoch())) {
      log.warn("master {} answered with epoch {}, older than one seen; ignoring it", target, reg.getEpoch());
      pause();
      return;
    }
    epoch = reg.getEpoch();
    if (reg.getRevokedGrantIdsCount() > 0) {
      node.revoked(reg.getRevokedGrantIdsList(), "refused by the leader at registration");
    }
    connectedTo = target;
    backoff.reset();
    log.info("registered with master {} (epoch {})", target, reg.getEpoch());
    node.registered(ch);

    CountDownLatch ended = new CountDownLatch(1);
    AtomicReference<Status> endStatus = new AtomicReference<>(Status.OK);
    StreamObserver<NodeHeartbeat> out = calls.streaming(NodeServiceGrpc.newStub(ch))
        .heartbeat(new StreamObserver<>() {
          @Override
          public void onNext(NodeDirective d) {
            apply(d);
          }

          @Override
          public void onError(Throwable t) {
            endStatus.set(Status.fromThrowable(t));
            ended.countDown();
            wake();
          }

          @Override
          public void onCompleted() {
            ended.countDown();
            wake();
          }
        });
    long interval = Math.max(10, reg.getHeartbeatIntervalMs());
    try {
      while (ended.getCount() > 0 && state.get() == State.STARTED) {
        out.onNext(NodeHeartbeat.newBuilder().setNodeId(node.registration().getNodeId())
            .setEpoch(reg.getEpoch()).addAllWorkers(node.workers()).build());
        if (wakeups.tryAcquire(interval, TimeUnit.MILLISECONDS)) {
          wakeups.drainPermits();
        }
      }
    } finally {
      if (ended.getCount() > 0) {
        out.onCompleted();
      }
    }
    Status s = endStatus.get();
    Optional<String> hint = LeaderHint.parse(s);
    hint.ifPresent(h -> leaderHint = h);
    if (state.get() == State.STARTED) {
      log.info("heartbeat stream to {} ended: {}", target, StatusText.brief(s));
    }
  }

  private void apply(NodeDirective d) {
    if (d.getEpoch() != epoch) {
      log.warn("ignoring directive from epoch {} (current {})", d.getEpoch(), epoch);
      return;
    }
    if (d.getGrantedCount() > 0) {
      node.granted(d.getGrantedList());
    }
    if (d.getRevokedGrantIdsCount() > 0) {
      node.revoked(d.getRevokedGrantIdsList(), d.getReason());
    }
    if (d.getEndedAppIdsCount() > 0) {
      node.appsEnded(d.getEndedAppIdsList());
    }
  }

  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) != State.STARTED) {
      return;
    }
    thread.interrupt();
    wake();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    channels.values().forEach(Channels::close);
  }
}
