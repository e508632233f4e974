package io.feitian.dayu.server;

import io.feitian.dayu.db.ParamChange;
import io.feitian.dayu.db.ParamDelta;
import io.feitian.dayu.db.ParamRevision;
import io.feitian.dayu.db.ParamScope;
import io.feitian.dayu.db.ParamValue;
import io.feitian.proto.dayu.v1.Cluster;
import io.feitian.proto.dayu.v1.ModuleVersion;
import io.feitian.proto.dayu.v1.Node;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The database's records as dayu.proto's messages, and back. The parameter types share their
 * names with the database's, so the messages are written out in full.
 */
final class Messages {
  private Messages() {}

  static Cluster cluster(io.feitian.dayu.db.Cluster c) {
    return Cluster.newBuilder().setName(c.name()).setDescription(c.description())
        .setCreatedAtMs(c.createdAt().toEpochMilli()).setParamRevision(c.paramRevision()).build();
  }

  static Node node(io.feitian.dayu.db.Node n) {
    return Node.newBuilder().setCluster(n.cluster()).setHost(n.host()).setRack(n.rack()).setState(n.state().name())
        .addAllRoles(n.roles()).setAddedAtMs(n.addedAt().toEpochMilli())
        .setLastSeenAtMs(n.lastSeenAt().map(Instant::toEpochMilli).orElse(0L)).build();
  }

  /** A node state's name; anything else is refused naming the field. */
  static io.feitian.dayu.db.Node.State state(String name) {
    for (io.feitian.dayu.db.Node.State s : io.feitian.dayu.db.Node.State.values()) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("state must be one of "
        + Arrays.toString(io.feitian.dayu.db.Node.State.values()) + ", got \"" + name + "\"");
  }

  static ModuleVersion moduleVersion(io.feitian.dayu.db.ModuleVersion v) {
    return ModuleVersion.newBuilder().setModule(v.module()).setVersion(v.version()).setSha256(v.sha256())
        .setSizeBytes(v.sizeBytes()).setDescriptorText(v.descriptor()).setPublishedAtMs(v.publishedAt().toEpochMilli())
        .setPublishedBy(v.publishedBy()).build();
  }

  /** An unspecified scope becomes null, which the store refuses naming the field. */
  static List<ParamChange> changes(List<io.feitian.proto.dayu.v1.ParamChange> changes) {
    return changes.stream().map(c -> new ParamChange(c.getModule(), scope(c.getScope()), c.getTarget(), c.getKey(),
        c.hasValue() ? Optional.of(c.getValue()) : Optional.empty())).toList();
  }

  static io.feitian.proto.dayu.v1.ParamRevision revision(ParamRevision r) {
    return io.feitian.proto.dayu.v1.ParamRevision.newBuilder().setCluster(r.cluster()).setRevision(r.revision())
        .setAuthor(r.author()).setReason(r.reason()).setCreatedAtMs(r.createdAt().toEpochMilli())
        .addAllChanges(r.changes().stream().map(Messages::change).toList()).build();
  }

  static io.feitian.proto.dayu.v1.ParamValue value(ParamValue v) {
    return io.feitian.proto.dayu.v1.ParamValue.newBuilder().setScope(scope(v.scope())).setTarget(v.target())
        .setKey(v.key()).setValue(v.value()).setSetIn(v.setIn()).build();
  }

  static io.feitian.proto.dayu.v1.ParamDelta delta(ParamDelta d) {
    io.feitian.proto.dayu.v1.ParamDelta.Builder b = io.feitian.proto.dayu.v1.ParamDelta.newBuilder()
        .setModule(d.module()).setScope(scope(d.scope())).setTarget(d.target()).setKey(d.key());
    d.before().ifPresent(b::setBefore);
    d.after().ifPresent(b::setAfter);
    return b.build();
  }

  private static io.feitian.proto.dayu.v1.ParamChange change(ParamChange c) {
    io.feitian.proto.dayu.v1.ParamChange.Builder b = io.feitian.proto.dayu.v1.ParamChange.newBuilder()
        .setModule(c.module()).setScope(scope(c.scope())).setTarget(c.target()).setKey(c.key());
    c.value().ifPresent(b::setValue);
    return b.build();
  }

  private static io.feitian.proto.dayu.v1.ParamScope scope(ParamScope scope) {
    return switch (scope) {
      case MODULE -> io.feitian.proto.dayu.v1.ParamScope.PARAM_SCOPE_MODULE;
      case ROLE -> io.feitian.proto.dayu.v1.ParamScope.PARAM_SCOPE_ROLE;
      case NODE -> io.feitian.proto.dayu.v1.ParamScope.PARAM_SCOPE_NODE;
    };
  }

  private static ParamScope scope(io.feitian.proto.dayu.v1.ParamScope scope) {
    return switch (scope) {
      case PARAM_SCOPE_MODULE -> ParamScope.MODULE;
      case PARAM_SCOPE_ROLE -> ParamScope.ROLE;
      case PARAM_SCOPE_NODE -> ParamScope.NODE;
      default -> null;
    };
  }
}
