package io.feitian.service.members;

import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.fuxi.v1.LocalityLevel;
import io.feitian.proto.service.v1.WorkerRecord;
import java.util.List;

/** The messages a member book is driven by, built the way Fuxi and the workers send them. */
final class Messages {
  private Messages() {}

  /** A grant for {@code role} on {@code node}, asked for anywhere. */
  static Grant grant(long id, String role, String node) {
    return Grant.newBuilder().setGrantId(id).setUnit(role).setNodeId(node).setNodeAddress(node + ":7000")
        .setRequestedLevel(LocalityLevel.LOCALITY_LEVEL_CLUSTER).build();
  }

  /** A grant for {@code role} asked for on {@code node} by name. */
  static Grant grantAskedOn(long id, String role, String node) {
    return grant(id, role, node).toBuilder().setRequestedLevel(LocalityLevel.LOCALITY_LEVEL_MACHINE)
        .setRequestedTarget(node).build();
  }

  /** The registration of worker {@code id} running on grant {@code g}. */
  static WorkerRecord registration(String id, Grant g) {
    return WorkerRecord.newBuilder().setWorkerId(id).setGrantId(g.getGrantId()).setRole(g.getUnit())
        .setNodeId(g.getNodeId()).setEndpoint(id + ":9000").build();
  }

  /** The effects of one kind, in order. */
  static <T extends Effect> List<T> only(Class<T> kind, List<Effect> effects) {
    return effects.stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  /** The ids of the grants returned. */
  static List<Long> returned(List<Effect> effects) {
    return only(Effect.ReturnGrant.class, effects).stream().map(r -> r.grant().getGrantId()).toList();
  }
}
