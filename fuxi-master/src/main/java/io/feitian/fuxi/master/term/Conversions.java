package io.feitian.fuxi.master.term;

import io.feitian.common.resource.ResourceProtos;
import io.feitian.fuxi.master.scheduler.Grant;
import io.feitian.fuxi.master.scheduler.LocalityLevel;

/** Between the scheduler's model and the wire. */
final class Conversions {
  private Conversions() {}

  static io.feitian.proto.fuxi.v1.Grant toProto(Grant g, String nodeAddress) {
    return io.feitian.proto.fuxi.v1.Grant.newBuilder()
        .setGrantId(g.grantId())
        .setAppId(g.appId())
        .setUnit(g.unit())
        .setNodeId(g.nodeId())
        .setNodeAddress(nodeAddress == null ? "" : nodeAddress)
        .setShape(ResourceProtos.toProto(g.shape()))
        .setPriority(g.priority())
        .setSatisfiedLevel(toProto(g.satisfiedLevel()))
        .setSatisfiedTarget(g.satisfiedTarget())
        .setRequestedLevel(toProto(g.requestedLevel()))
        .setRequestedTarget(g.requestedTarget())
        .build();
  }

  static Grant fromProto(String field, io.feitian.proto.fuxi.v1.Grant g) {
    LocalityLevel satisfied = fromProto(field + ".satisfied_level", g.getSatisfiedLevel(), true);
    boolean hasRequested = g.getRequestedLevel() != io.feitian.proto.fuxi.v1.LocalityLevel.LOCALITY_LEVEL_UNSPECIFIED;
    return new Grant(g.getGrantId(), g.getAppId(), g.getUnit(), g.getNodeId(),
        ResourceProtos.fromProto(field + ".shape", g.getShape()), g.getPriority(), satisfied, g.getSatisfiedTarget(),
        hasRequested ? fromProto(field + ".requested_level", g.getRequestedLevel(), true) : satisfied,
        hasRequested ? g.getRequestedTarget() : g.getSatisfiedTarget());
  }

  static io.feitian.proto.fuxi.v1.LocalityLevel toProto(LocalityLevel level) {
    return switch (level) {
      case MACHINE -> io.feitian.proto.fuxi.v1.LocalityLevel.LOCALITY_LEVEL_MACHINE;
      case RACK -> io.feitian.proto.fuxi.v1.LocalityLevel.LOCALITY_LEVEL_RACK;
      case CLUSTER -> io.feitian.proto.fuxi.v1.LocalityLevel.LOCALITY_LEVEL_CLUSTER;
    };
  }

  static LocalityLevel fromProto(String field, io.feitian.proto.fuxi.v1.LocalityLevel level, boolean lenient) {
    return switch (level) {
      case LOCALITY_LEVEL_MACHINE -> LocalityLevel.MACHINE;
      case LOCALITY_LEVEL_RACK -> LocalityLevel.RACK;
      case LOCALITY_LEVEL_CLUSTER -> LocalityLevel.CLUSTER;
      default -> {
        if (lenient) {
          yield LocalityLevel.CLUSTER;
        }
        throw new IllegalArgumentException(field + " must be MACHINE, RACK or CLUSTER, got " + level);
      }
    };
  }
}
