package io.feitian.client.cli.dayu;

import io.feitian.common.grpc.Channels;
import io.feitian.proto.dayu.v1.DayuServiceGrpc;
import io.feitian.proto.dayu.v1.RolloutServiceGrpc;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A channel to dayu-server and its stubs, each call with a deadline. */
final class DayuConnection implements AutoCloseable {
  private final ManagedChannel channel;
  private final Duration timeout;

  DayuConnection(ManagedChannel channel, Duration timeout) {
    this.channel = channel;
    this.timeout = timeout;
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
    Channels.close(channel);
  }
}
