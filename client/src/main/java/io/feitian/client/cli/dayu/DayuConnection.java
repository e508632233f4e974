package io.feitian.client.cli.dayu;

import io.feitian.common.grpc.CallFailures;
import io.feitian.common.grpc.Channels;
import io.feitian.proto.dayu.v1.DayuServiceGrpc;
import io.feitian.proto.dayu.v1.RolloutServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A channel to dayu-server and its stubs, each call with a deadline. It notes whether the server
 * has answered anything (a message, or a status other than UNAVAILABLE): until then nothing the
 * command asked can have happened, so the command may be run again against another server.
 */
final class DayuConnection implements AutoCloseable {
  private final ManagedChannel managed;
  private final Channel channel;
  private final Duration timeout;
  private final AtomicBoolean answered = new AtomicBoolean();

  DayuConnection(ManagedChannel channel, Duration timeout) {
    this.managed = channel;
    this.channel = ClientInterceptors.intercept(channel, new AnswerWatcher());
    this.timeout = timeout;
  }

  /** Whether the server answered any call of this connection (UNAVAILABLE refusals are not answers). */
  boolean answered() {
    return answered.get();
  }

  private final class AnswerWatcher implements ClientInterceptor {
    @Override
    public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
      return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void start(Listener<A> listener, Metadata headers) {
          super.start(new SimpleForwardingClientCallListener<>(listener) {
            @Override
            public void onMessage(A message) {
              answered.set(true);
              super.onMessage(message);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
              if (!CallFailures.lostTheServer(status)) {
                answered.set(true);
              }
              super.onClose(status, trailers);
            }
          }, headers);
        }
      };
    }
  }

  /** For unary and short streaming calls: the --timeout deadline. */
  DayuServiceGrpc.DayuServiceBlockingStub blocking() {
    return DayuServiceGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The rollout API, each call with the --timeout deadline. */
  RolloutServiceGrpc.RolloutServiceBlockingStub rollouts() {
    return RolloutServiceGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** For an upload, whose deadline depends on its size. */
  DayuServiceGrpc.DayuServiceStub async(Duration deadline) {
    return DayuServiceGrpc.newStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    Channels.close(managed);
  }
}
