package io.feitian.shennong.cluster;

import io.feitian.proto.shennong.v1.MasterServiceGrpc;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.feitian.proto.shennong.v1.SubscriptionUpdate;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A subscription stream as a test reads it: every update in a queue, the stream's end as a
 * future. With {@code manualFlow} it requests nothing by itself: a subscriber that does not keep up.
 */
final class Subscriber implements AutoCloseable {
  final BlockingQueue<SubscriptionUpdate> updates = new LinkedBlockingQueue<>();
  final CompletableFuture<Status> ended = new CompletableFuture<>();
  private volatile ClientCallStreamObserver<SubscribeRequest> call;

  Subscriber(Channel channel, SubscribeRequest request, boolean manualFlow) {
    MasterServiceGrpc.newStub(channel).subscribe(request, new ClientResponseObserver<SubscribeRequest, SubscriptionUpdate>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<SubscribeRequest> requestStream) {
        call = requestStream;
        if (manualFlow) {
          requestStream.disableAutoRequestWithInitial(1);
        }
      }

      @Override
      public void onNext(SubscriptionUpdate u) {
        updates.add(u);
      }

      @Override
      public void onError(Throwable t) {
        ended.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        ended.complete(Status.OK);
      }
    });
  }

  /** Lets a manual-flow subscriber take {@code n} more messages. */
  void request(int n) {
    call.request(n);
  }

  /** The next update that matches, skipping others, within the deadline; fails the test otherwise. */
  SubscriptionUpdate await(Predicate<SubscriptionUpdate> wanted, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<SubscriptionUpdate> skipped = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      SubscriptionUpdate u = updates.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (u == null) {
        break;
      }
      if (wanted.test(u)) {
        return u;
      }
      skipped.add(u);
    }
    throw new AssertionError("no wanted update within " + timeout + (ended.isDone() ? "; the stream ended: "
        + ended.getNow(null) : "") + "; skipped " + skipped.size() + ": " + skipped);
  }

  @Override
  public void close() {
    call.cancel("the test is done", null);
  }
}
