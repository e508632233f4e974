package io.feitian.taskworker.master;

import io.feitian.common.grpc.CallSettings;
import io.feitian.common.grpc.LeaderFollower;
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
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
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
 *
 * <p>Revocations are applied on a thread of their own, in the order they came: killing the workers
 * of grants the leader refused at registration took 9 to 18 s on a loaded machine, and a link that
 * killed them before its first heartbeat was declared lost again 3 s after it registered (its
 * job-master's grant with it), over and over.
 */
public final class MasterLink extends LeaderFollower {
  private static final Logger log = LoggerFactory.getLogger(MasterLink.class);

  /**
   * The node as the link sees it. Calls come from the link's thread or gRPC threads; {@link #revoked}
   * from the link's revocation thread, one at a time.
   */
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

  private final CallSettings calls;
  private final NodeView node;
  private final Semaphore wakeups = new Semaphore(0);
  private final ExecutorService revocations = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "master-link-revocations");
    t.setDaemon(true);
    return t;
  });
  private volatile long epoch;

  public MasterLink(Supplier<Optional<String>> leaderFromZk, SecuritySettings security, CallSettings calls, NodeView node,
      Backoff backoff) {
    super("master-link", "fuxi-master", leaderFromZk, security, backoff);
    this.calls = calls;
    this.node = node;
  }

  /** Worker states changed: send a heartbeat now rather than at the next interval. */
  public void wake() {
    wakeups.release();
  }

  /** The leader this node is registered with, if any. */
  public Optional<String> leader() {
    return connected();
  }

  public long epoch() {
    return epoch;
  }

  /** One registration and its heartbeat stream, until the stream ends. */
  @Override
  protected void session(String target) throws InterruptedException {
    ManagedChannel ch = channel(target);
    RegisterNodeResponse reg = calls.unary(NodeServiceGrpc.newBlockingStub(ch)).register(node.registration());
    if (!node.observeEpoch(reg.getEpoch())) {
      log.warn("master {} answered with epoch {}, older than one seen; ignoring it", target, reg.getEpoch());
      pause();
      return;
    }
    epoch = reg.getEpoch();
    if (reg.getRevokedGrantIdsCount() > 0) {
      revoke(reg.getRevokedGrantIdsList(), "refused by the leader at registration");
    }
    established(target);
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
      while (ended.getCount() > 0 && running()) {
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
    follow(target, s);
    if (running()) {
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
      revoke(d.getRevokedGrantIdsList(), d.getReason());
    }
    if (d.getEndedAppIdsCount() > 0) {
      node.appsEnded(d.getEndedAppIdsList());
    }
  }

  /** Hands revoked grants to the node off the heartbeat thread (and off gRPC's threads). */
  private void revoke(List<Long> grantIds, String reason) {
    try {
      revocations.execute(() -> node.revoked(grantIds, reason));
    } catch (RejectedExecutionException e) {
      log.debug("link closed; not applying the revocation of grants {}", grantIds);
    }
  }

  @Override
  public void close() {
    wake();
    super.close();
    revocations.shutdown();
  }
}
