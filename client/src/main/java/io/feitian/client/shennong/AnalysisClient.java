package io.feitian.client.shennong;

import io.feitian.client.FeitianClient;
import io.feitian.proto.shennong.v1.AnalysisServiceGrpc;
import java.util.function.Function;

/**
 * A client of the analysis-service leader, on a {@link FeitianClient}'s connection: it finds the
 * leader in the election at {@code /analysis-service} and follows a standby's
 * {@code leader=host:port} hint.
 */
public final class AnalysisClient implements AutoCloseable {
  static final String ZK_BASE = "/analysis-service";

  private final LeaderCalls leader;

  /** On {@code cluster}'s connection, which must be through ZooKeeper; the caller closes {@code cluster}. */
  public AnalysisClient(FeitianClient cluster) {
    this.leader = new LeaderCalls(cluster, "analysis-service", ZK_BASE);
  }

  /** Calls the leader's AnalysisService with the client's deadline and token. */
  public <T> T call(Function<AnalysisServiceGrpc.AnalysisServiceBlockingStub, T> call) {
    return leader.call(AnalysisServiceGrpc::newBlockingStub, call);
  }

  @Override
  public void close() {
    leader.close();
  }
}
