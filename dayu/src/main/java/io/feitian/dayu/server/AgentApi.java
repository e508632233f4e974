package io.feitian.dayu.server;

import static io.feitian.dayu.server.DayuService.answer;

import io.feitian.dayu.control.RolloutControl;
import io.feitian.proto.dayu.v1.AgentServiceGrpc;
import io.feitian.proto.dayu.v1.NodeWork;
import io.feitian.proto.dayu.v1.RegisterRequest;
import io.feitian.proto.dayu.v1.RegisterResponse;
import io.feitian.proto.dayu.v1.StepReport;
import io.feitian.proto.dayu.v1.StepReportResponse;
import io.feitian.proto.dayu.v1.WatchRequest;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * The dayu-agents' side of the server: registration, the Watch stream that carries each node's
 * work, and step reports. A node counts as present while its Watch is open.
 */
final class AgentApi extends AgentServiceGrpc.AgentServiceImplBase {
  private final RolloutControl control;

  AgentApi(RolloutControl control) {
    this.control = control;
  }

  @Override
  public void register(RegisterRequest request, StreamObserver<RegisterResponse> out) {
    answer(out, () -> RegisterResponse.newBuilder()
        .setRack(control.register(request.getCluster(), request.getHost(), request.getInstalledMap()).rack())
        .build());
  }

  @Override
  public void watch(WatchRequest request, StreamObserver<NodeWork> out) {
    ServerCallStreamObserver<NodeWork> stream = (ServerCallStreamObserver<NodeWork>) out;
    Runnable unwatch;
    try {
      // Sends run under the control's lock, one at a time, as a stream observer requires.
      unwatch = control.watch(request.getCluster(), request.getHost(), work -> {
        if (!stream.isCancelled()) {
          stream.onNext(work);
        }
      });
    } catch (RuntimeException e) {
      out.onError(Statuses.of(e));
      return;
    }
    stream.setOnCancelHandler(unwatch::run);
  }

  @Override
  public void reportStep(StepReport r, StreamObserver<StepReportResponse> out) {
    answer(out, () -> {
      control.report(r.getCluster(), r.getHost(), r.getRolloutId(), r.getModule(), r.getToVersion(), r.getStep(),
          r.getOk(), r.getDetail());
      return StepReportResponse.getDefaultInstance();
    });
  }
}
