package io.feitian.client.shennong;

import io.feitian.client.FeitianClient;
import io.feitian.common.grpc.LeaderHint;
import io.feitian.common.zk.LeaderLocator;
import io.feitian.proto.shennong.v1.MonitorServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Optional;
import java.util.function.Function;

/**
 * A client of the monitor-service leader, on a {@link FeitianClient}'s connection: it finds the
 * leader in the election at {@code /monitor-service} and follows a standby's
 * {@code leader=host:port} hint (the election may have moved since the lookup).
 */
public final class AlertsClient implements AutoCloseable {
  static final String ZK_BASE = "/monitor-service";
  /** A standby's hint is followed this many times before its error is given to the caller. */
  private static final int MAX_HOPS = 2;

  private final FeitianClient cluster;
  private final LeaderLocator locator;

  /** On {@code cluster}'s connection, which must be through ZooKeeper; the caller closes {@code cluster}. */
  public AlertsClient(FeitianClient cluster) {
    this.cluster = cluster;
    this.locator = cluster.locator(ZK_BASE);
  }

  /** Calls the leader's MonitorService with the client's deadline and token. */
  public <T> T call(Function<MonitorServiceGrpc.MonitorServiceBlockingStub, T> call) {
    String address = locator.leader().orElseThrow(() -> Status.UNAVAILABLE.withDescription(
        "no monitor-service leader registered (is monitor-service running in this cluster?)").asRuntimeException());
    for (int hop = 0; ; hop++) {
      try {
        return call.apply(cluster.calls().unary(MonitorServiceGrpc.newBlockingStub(cluster.channel(address))));
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
