package io.feitian.dayu.server;

import static io.feitian.dayu.server.DayuService.answer;

import io.feitian.proto.dayu.v1.AgentServiceGrpc;
import io.feitian.proto.dayu.v1.NodeWork;
import io.feitian.proto.dayu.v1.RegisterRequest;
import io.feitian.proto.dayu.v1.RegisterResponse;
import io.feitian.proto.dayu.v1.StepReport;
import io.feitian.proto.dayu.v1.StepReportResponse;
import io.feitian.proto.dayu.v1.WatchRequest;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/**
 * The dayu-agents' side of the server: registration, the Watch stream that carries each node's
 * work, and step reports. A node counts as present while its Watch is open. Every call goes to the
 * current term (a standby's supplier throws UNAVAILABLE naming the leader).
 */
final class AgentApi extends AgentServiceGrpc.AgentServiceImplBase {
  private final Supplier<RolloutTerm> terms;

  AgentApi(Supplier<RolloutTerm> terms) {
    this.terms = terms;
  }

  @Override
  public void register(RegisterRequest request, StreamObserver<RegisterResponse> out) {
    answer(out, () -> RegisterResponse.newBuilder()
        .setRack(terms.get().rollouts().register(request.getCluster(), request.getHost(), request.getInstalledMap()).rack())
        .build());
  }

  @Override
  public void watch(WatchRequest request, StreamObserver<NodeWork> out) {
    try {
      terms.get().watch(request.getCluster(), request.getHost(), (ServerCallStreamObserver<NodeWork>) out);
    } catch (RuntimeException e) {
      out.onError(Statuses.of(e));
    }
  }

  @Override
  public void reportStep(StepReport r, StreamObserver<StepReportResponse> out) {
    answer(out, () -> {
      terms.get().rollouts().report(r.getCluster(), r.getHost(), r.getRolloutId(), r.getModule(), r.getToVersion(), r.getStep(),
          r.getOk(), r.getDetail());
      return StepReportResponse.getDefaultInstance();
    });
  }
}
