package io.feitian.service.state;

import io.feitian.proto.service.v1.PartitionRecord;
import io.feitian.service.partition.KeyRange;
import io.feitian.service.partition.Partition;
import io.feitian.service.partition.PartitionState;

/** The partition table's records as stored in ZooKeeper (feitian.service.v1.PartitionRecord) and back. */
public final class TableCodec {
  private TableCodec() {}

  public static PartitionRecord toRecord(Partition p) {
    return PartitionRecord.newBuilder().setId(p.id()).setStart(p.range().start()).setEnd(p.range().end())
        .setOwner(p.owner()).setEpoch(p.epoch()).setState(toProto(p.state())).setNext(p.next()).build();
  }

  public static Partition fromRecord(PartitionRecord r) {
    return new Partition(r.getId(), new KeyRange(r.getStart(), r.getEnd()), r.getOwner(), r.getEpoch(),
        fromProto(r.getState()), r.getNext());
  }

  static io.feitian.proto.service.v1.PartitionState toProto(PartitionState s) {
    return switch (s) {
      case UNASSIGNED -> io.feitian.proto.service.v1.PartitionState.PARTITION_STATE_UNASSIGNED;
      case LOADING -> io.feitian.proto.service.v1.PartitionState.PARTITION_STATE_LOADING;
      case SERVING -> io.feitian.proto.service.v1.PartitionState.PARTITION_STATE_SERVING;
      case UNLOADING -> io.feitian.proto.service.v1.PartitionState.PARTITION_STATE_UNLOADING;
      case SPLITTING -> io.feitian.proto.service.v1.PartitionState.PARTITION_STATE_SPLITTING;
    };
  }

  static PartitionState fromProto(io.feitian.proto.service.v1.PartitionState s) {
    return switch (s) {
      case PARTITION_STATE_LOADING -> PartitionState.LOADING;
      case PARTITION_STATE_SERVING -> PartitionState.SERVING;
      case PARTITION_STATE_UNLOADING -> PartitionState.UNLOADING;
      case PARTITION_STATE_SPLITTING -> PartitionState.SPLITTING;
      default -> PartitionState.UNASSIGNED;
    };
  }
}
