package io.feitian.dayu.server;

import static io.feitian.dayu.server.DayuService.answer;
import static io.feitian.dayu.server.DayuService.orCaller;

import io.feitian.dayu.control.RolloutControl;
import io.feitian.dayu.control.Strategies;
import io.feitian.dayu.rollout.Kind;
import io.feitian.proto.dayu.v1.GetRolloutRequest;
import io.feitian.proto.dayu.v1.ListRolloutsRequest;
import io.feitian.proto.dayu.v1.ListRolloutsResponse;
import io.feitian.proto.dayu.v1.RolloutCommand;
import io.feitian.proto.dayu.v1.RolloutInfo;
import io.feitian.proto.dayu.v1.RolloutKind;
import io.feitian.proto.dayu.v1.RolloutServiceGrpc;
import io.feitian.proto.dayu.v1.StartRolloutRequest;
import io.grpc.stub.StreamObserver;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The operator's rollout API: requests checked here, decisions in {@link RolloutControl}, the
 * current term's (a standby's supplier throws UNAVAILABLE naming the leader).
 */
final class RolloutApi extends RolloutServiceGrpc.RolloutServiceImplBase {
  private final Supplier<RolloutControl> controls;

  RolloutApi(Supplier<RolloutControl> controls) {
    this.controls = controls;
  }

  @Override
  public void startRollout(StartRolloutRequest request, StreamObserver<RolloutInfo> out) {
    answer(out, () -> {
      if (request.getKind() == RolloutKind.ROLLOUT_KIND_UNSPECIFIED
          || request.getKind() == RolloutKind.UNRECOGNIZED) {
        throw new IllegalArgumentException("kind: say DEPLOY, UPGRADE, SCALE_OUT, SCALE_IN or ROLLBACK");
      }
      Kind kind = Kind.valueOf(request.getKind().name());
      return RolloutMessages.info(controls.get().start(request.getCluster(), kind, request.getTargetsMap(),
          Set.copyOf(request.getNodesList()), Strategies.from(request.getStrategy()),
          orCaller(request.getCreatedBy())), true);
    });
  }

  @Override
  public void getRollout(GetRolloutRequest request, StreamObserver<RolloutInfo> out) {
    answer(out, () -> RolloutMessages.info(controls.get().view(request.getId()), true));
  }

  @Override
  public void listRollouts(ListRolloutsRequest request, StreamObserver<ListRolloutsResponse> out) {
    answer(out, () -> ListRolloutsResponse.newBuilder().addAllRollouts(controls.get().views(request.getCluster()).stream()
        .map(v -> RolloutMessages.info(v, false)).toList()).build());
  }

  @Override
  public void command(RolloutCommand request, StreamObserver<RolloutInfo> out) {
    answer(out, () -> {
      if (request.getVerb() == RolloutCommand.Verb.VERB_UNSPECIFIED
          || request.getVerb() == RolloutCommand.Verb.UNRECOGNIZED) {
        throw new IllegalArgumentException("verb: say PAUSE, RESUME, APPROVE, ABORT or ROLLBACK");
      }
      return RolloutMessages.info(controls.get().command(request.getId(),
          RolloutControl.Verb.valueOf(request.getVerb().name())), true);
    });
  }
}
