package io.feitian.client.shennong;

import io.feitian.client.FeitianClient;
import io.feitian.proto.shennong.v1.MonitorServiceGrpc;
import java.util.function.Function;

/**
 * A client of the monitor-service leader, on a {@link FeitianClient}'s connection: it finds the
 * leader in the election at {@code /monitor-service} and follows a standby's
 * {@code leader=host:port} hint (the election may have moved since the lookup).
 */
public final class AlertsClient implements AutoCloseable {
  static final String ZK_BASE = "/monitor-service";

  private final LeaderCalls leader;

  /** On {@code cluster}'s connection, which must be through ZooKeeper; the caller closes {@code cluster}. */
  public AlertsClient(FeitianClient cluster) {
    this.leader = new LeaderCalls(cluster, "monitor-service", ZK_BASE);
  }

  /** Calls the leader's MonitorService with the client's deadline and token. */
  public <T> T call(Function<MonitorServiceGrpc.MonitorServiceBlockingStub, T> call) {
    return leader.call(MonitorServiceGrpc::newBlockingStub, call);
  }

  @Override
  public void close() {
    leader.close();
  }
}
