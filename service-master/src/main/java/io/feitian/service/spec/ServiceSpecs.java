package io.feitian.service.spec;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.feitian.proto.service.v1.ServiceSpec;
import io.feitian.service.partition.KeyRange;
import io.feitian.service.partition.PartitionTable;
import java.util.ArrayList;
import java.util.List;

/** The JSON form of a service description, and the partition table it starts with. */
public final class ServiceSpecs {
  private ServiceSpecs() {}

  public static ServiceSpec fromJson(String json) {
    ServiceSpec.Builder b = ServiceSpec.newBuilder();
    try {
      JsonFormat.parser().merge(json, b);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new IllegalArgumentException("the service description is not valid: " + e.getMessage(), e);
    }
    return b.build();
  }

  /** A description as fuxi-master stores it (AppSpec.description); a bad one names {@code field}. */
  public static ServiceSpec fromBytes(String field, com.google.protobuf.ByteString bytes) {
    try {
      return ServiceSpec.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(field + " is not a feitian.service.v1.ServiceSpec: " + e.getMessage(), e);
    }
  }

  /** The initial partitions of a validated description (one partition covering everything if none are asked for). */
  public static PartitionTable initialTable(ServiceSpec spec) {
    var p = spec.getPartitions();
    if (p.hasBoundaries()) {
      List<KeyRange> ranges = new ArrayList<>();
      String start = "";
      for (String key : p.getBoundaries().getKeysList()) {
        ranges.add(new KeyRange(start, key));
        start = key;
      }
      ranges.add(new KeyRange(start, ""));
      return new PartitionTable(ranges);
    }
    return PartitionTable.evenly(Math.max(1, p.getCount()));
  }
}
