package io.feitian.shennong.wire;

import io.feitian.proto.shennong.v1.Gap;
import io.feitian.proto.shennong.v1.GroupResult;
import io.feitian.shennong.ops.Coalescer;
import io.feitian.shennong.ops.GroupKey;
import io.feitian.shennong.ops.GroupValue;
import io.feitian.shennong.ops.MergedWindow;
import java.util.List;

/** The master's merged values as a subscriber reads them. */
public final class ResultProtos {
  private ResultProtos() {}

  /** One group's result; {@code windowStartMs} is set only when it is older than its message's window. */
  public static GroupResult group(GroupKey key, GroupValue value, List<String> groupBy, long coalesced,
      long olderWindowStartMs) {
    return GroupResult.newBuilder().addAllGroup(PartialProtos.labels(key, groupBy))
        .setValue(Double.isNaN(value.value()) ? 0 : value.value()).addAllQuantiles(value.quantiles())
        .setSamples(value.samples()).setSeries(value.series()).setCoalesced(coalesced)
        .setWindowStartMs(olderWindowStartMs).build();
  }

  /** A pending value of a slow subscriber's coalescer, whose value carries its window's start. */
  public static GroupResult group(Coalescer.Pending<GroupKey, WindowedValue> pending, List<String> groupBy,
      long batchSequence) {
    WindowedValue v = pending.value();
    return group(pending.key(), v.value(), groupBy, pending.coalesced(),
        pending.sequence() == batchSequence ? 0 : v.windowStartMs());
  }

  /** What a merged window lacks; the default instance when it lacks nothing. */
  public static Gap gap(MergedWindow window, long lateSamples) {
    return Gap.newBuilder().addAllMissingAgents(window.missingAgents())
        .setIncompleteSeries(window.incompleteSeries()).setLateSamples(lateSamples).build();
  }

  /** A group's value with the start of the window it came from, as the master keeps it for a slow subscriber. */
  public record WindowedValue(GroupValue value, long windowStartMs) {}
}
