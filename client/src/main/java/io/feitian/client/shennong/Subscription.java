package io.feitian.client.shennong;

import io.feitian.common.retry.Backoff;
import io.feitian.proto.shennong.v1.Kind;
import io.feitian.proto.shennong.v1.MasterServiceGrpc;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.feitian.proto.shennong.v1.SubscriptionUpdate;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A subscription that outlives master failovers: each time its stream ends because the master
 * went away, it finds the leader and subscribes again, with backoff. Updates of one stream arrive
 * in order on one thread; a new stream is announced to the listener first, since its sequence
 * numbers start again at 1 and what happened in between was not seen.
 *
 * <p>An events subscription resumes where it was: the new stream asks only for events stamped
 * later than the newest one delivered ({@code events_since_ms}), so its first message holds what
 * the agents took meanwhile and nothing the listener already has (subscription.proto says what a
 * replay by time cannot recover).
 */
public final class Subscription implements AutoCloseable {
  /** Codes master.proto says a client must not retry unchanged. */
  static final Set<Status.Code> FINAL = Set.of(Status.Code.INVALID_ARGUMENT, Status.Code.RESOURCE_EXHAUSTED,
      Status.Code.PERMISSION_DENIED, Status.Code.UNAUTHENTICATED, Status.Code.FAILED_PRECONDITION);

  /** What a subscriber is told. */
  public interface Listener {
    /** A stream to {@code master} began: the next update is its first (sequence 1, the current state). */
    default void onStream(String master) {}

    void onUpdate(SubscriptionUpdate update);

    /** The subscription ended for good: an error not to retry (or OK when closed). */
    void onEnd(Status status);
  }

  private final MonitorClient client;
  private final SubscribeRequest request;
  private final Listener listener;
  private final Backoff backoff;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile ClientCallStreamObserver<SubscribeRequest> call;
  /** The newest stamp of an event delivered to the listener; written by the updates' thread. */
  private volatile long newestEventMs;

  Subscription(MonitorClient client, SubscribeRequest request, Listener listener, Backoff backoff) {
    this.client = client;
    this.request = request;
    this.listener = listener;
    this.backoff = backoff;
  }

  void start() {
    String master;
    try {
      master = client.findLeader();
    } catch (StatusRuntimeException e) {
      retryLater();
      return;
    }
    MasterServiceGrpc.newStub(client.channel(master)).subscribe(resumed(),
        new ClientResponseObserver<SubscribeRequest, SubscriptionUpdate>() {
          private boolean announced;

          @Override
          public void beforeStart(ClientCallStreamObserver<SubscribeRequest> requestStream) {
            call = requestStream;
          }

          @Override
          public void onNext(SubscriptionUpdate update) {
            if (!announced) {
              announced = true;
              backoff.reset();
              listener.onStream(master);
            }
            update.getEventsList().forEach(e -> newestEventMs = Math.max(newestEventMs, e.getTimestampMs()));
            listener.onUpdate(update);
          }

          @Override
          public void onError(Throwable t) {
            Status s = Status.fromThrowable(t);
            if (closed.get()) {
              return;
            }
            if (FINAL.contains(s.getCode())) {
              closed.set(true);
              listener.onEnd(s.withDescription("shennong-master " + master + ": " + s.getDescription()));
              return;
            }
            client.leaderFailed(master, s);
            retryLater();
          }

          @Override
          public void onCompleted() {
            if (!closed.get()) {
              client.leaderFailed(master, Status.UNAVAILABLE);
              retryLater();
            }
          }
        });
  }

  /** The request, for an events subscription from the newest event delivered. */
  private SubscribeRequest resumed() {
    long newest = newestEventMs;
    return request.getKind() == Kind.KIND_EVENTS && newest > request.getEventsSinceMs()
        ? request.toBuilder().setEventsSinceMs(newest).build() : request;
  }

  /** Any other end (the master gone, a broken call) is worth another try, after a pause. */
  private void retryLater() {
    if (closed.get()) {
      return;
    }
    client.timer().schedule(this::start, backoff.nextDelayMillis(), TimeUnit.MILLISECONDS);
  }

  /** Ends the subscription: the master and its agents free what they held for it. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      ClientCallStreamObserver<SubscribeRequest> c = call;
      if (c != null) {
        c.cancel("closed by the subscriber", null);
      }
      listener.onEnd(Status.OK);
    }
  }
}
