package io.feitian.client.shennong;

import io.feitian.client.FeitianClient;
import io.feitian.common.grpc.LeaderHint;
import io.feitian.common.zk.LeaderLocator;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import java.util.Optional;
import java.util.function.Function;

/**
 * Unary calls to the leader of an elected Shennong service (monitor-service, analysis-service),
 * on a {@link FeitianClient}'s connection: the leader is found in the service's election and a
 * standby's {@code leader=host:port} hint is followed (the election may have moved since the
 * lookup).
 */
final class LeaderCalls implements AutoCloseable {
  /** A standby's hint is followed this many times before its error is given to the caller. */
  private static final int MAX_HOPS = 2;

  private final FeitianClient cluster;
  private final String daemon;
  private final LeaderLocator locator;

  /** {@code daemon} names the service in errors; {@code zkBase} is its election's path. */
  LeaderCalls(FeitianClient cluster, String daemon, String zkBase) {
    this.cluster = cluster;
    this.daemon = daemon;
    this.locator = cluster.locator(zkBase);
  }

  /** Calls the leader with the client's deadline and token. */
  <S extends AbstractStub<S>, T> T call(Function<ManagedChannel, S> stub, Function<S, T> call) {
    String address = locator.leader().orElseThrow(() -> Status.UNAVAILABLE.withDescription(
        "no " + daemon + " leader registered (is " + daemon + " running in this cluster?)").asRuntimeException());
    for (int hop = 0; ; hop++) {
      try {
        return call.apply(cluster.calls().unary(stub.apply(cluster.channel(address))));
      } catch (StatusRuntimeException e) {
        String from = address;
        Optional<String> hint = LeaderHint.parse(e.getStatus()).filter(h -> !h.equals(from));
        if (hop >= MAX_HOPS || hint.isEmpty()) {
          throw e;
        }
        address = hint.get();
      }
    }
  }

  @Override
  public void close() {
    locator.close();
  }
}
