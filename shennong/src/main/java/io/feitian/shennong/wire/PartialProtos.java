package io.feitian.shennong.wire;

import com.google.protobuf.ByteString;
import com.tdunning.math.stats.MergingDigest;
import com.tdunning.math.stats.TDigest;
import io.feitian.common.app.FieldChecks;
import io.feitian.proto.shennong.v1.GroupPartial;
import io.feitian.proto.shennong.v1.Label;
import io.feitian.proto.shennong.v1.Operation;
import io.feitian.proto.shennong.v1.PartialAggregate;
import io.feitian.proto.shennong.v1.PartialReport;
import io.feitian.shennong.ops.Evaluation;
import io.feitian.shennong.ops.GroupKey;
import io.feitian.shennong.ops.Partial;
import io.feitian.shennong.ops.WindowQuery;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Partials and their groups to and from PartialReport; what an agent sends reads back into what it computed. */
public final class PartialProtos {
  /** The small t-digest encoding: int kind, two doubles, a float compression, two shorts, a short count. */
  private static final int SMALL_ENCODING = 2;
  private static final int SMALL_HEADER_BYTES = 4 + 8 + 8 + 4 + 2 + 2 + 2;
  /** Centroids a digest of {@link Partial#COMPRESSION} may hold, with a wide margin: bounds what decoding allocates. */
  private static final int MAX_CENTROIDS = (int) (10 * Partial.COMPRESSION);

  private static final FieldChecks CHECKS = new FieldChecks("");

  private PartialProtos() {}

  public static PartialReport report(String subscriptionId, long sequence, long windowEndMs, WindowQuery query,
      Evaluation evaluation) {
    PartialReport.Builder r = PartialReport.newBuilder().setSubscriptionId(subscriptionId).setSequence(sequence)
        .setWindowEndMs(windowEndMs).setIncompleteSeries(evaluation.incompleteSeries())
        .setGroupsOverLimit(evaluation.groupsOverLimit());
    evaluation.groups().forEach((group, partial) -> r.addGroups(GroupPartial.newBuilder()
        .addAllGroup(labels(group, query.groupBy())).setAggregate(aggregate(partial))));
    return r.build();
  }

  /** A report read back; errors name the field ("groups[2].aggregate.digest ..."). */
  public static Evaluation evaluation(PartialReport report, WindowQuery query) {
    if (report.getGroupsCount() > WindowQuery.MAX_GROUPS) {
      throw CHECKS.bad("groups", "has " + report.getGroupsCount() + " entries; at most " + WindowQuery.MAX_GROUPS);
    }
    Map<GroupKey, Partial> groups = new HashMap<>();
    for (int i = 0; i < report.getGroupsCount(); i++) {
      GroupPartial g = report.getGroups(i);
      String at = "groups[" + i + "]";
      GroupKey key = groupKey(at + ".group", g.getGroupList(), query.groupBy());
      if (groups.put(key, partial(at + ".aggregate", g.getAggregate(), query.operation())) != null) {
        throw CHECKS.bad(at + ".group", "repeats " + key);
      }
    }
    return new Evaluation(groups, report.getIncompleteSeries(), report.getGroupsOverLimit());
  }

  public static List<Label> labels(GroupKey group, List<String> groupBy) {
    List<Label> labels = new ArrayList<>(groupBy.size());
    List<String> values = group.values();
    for (int i = 0; i < groupBy.size(); i++) {
      labels.add(Label.newBuilder().setName(groupBy.get(i)).setValue(values.get(i)).build());
    }
    return labels;
  }

  static GroupKey groupKey(String field, List<Label> labels, List<String> groupBy) {
    if (labels.size() != groupBy.size()) {
      throw CHECKS.bad(field, "has " + labels.size() + " labels; the query groups by " + groupBy.size());
    }
    List<String> values = new ArrayList<>(labels.size());
    for (int i = 0; i < labels.size(); i++) {
      if (!labels.get(i).getName().equals(groupBy.get(i))) {
        throw CHECKS.bad(field + "[" + i + "].name", "must be " + groupBy.get(i));
      }
      values.add(labels.get(i).getValue());
    }
    return GroupKey.of(values);
  }

  public static PartialAggregate aggregate(Partial p) {
    PartialAggregate.Builder a = PartialAggregate.newBuilder().setCount(p.count()).setSum(p.sum())
        .setIncrease(p.increase()).setSeries(p.series());
    if (p.count() > 0) {
      a.setMin(p.min()).setMax(p.max());
    }
    if (p.digest() != null) {
      ByteBuffer bytes = ByteBuffer.allocate(p.digest().smallByteSize());
      p.digest().asSmallBytes(bytes);
      a.setDigest(ByteString.copyFrom(bytes.array(), 0, bytes.position()));
    }
    return a.build();
  }

  static Partial partial(String field, PartialAggregate a, Operation operation) {
    if (a.getCount() < 0 || a.getSeries() < 0) {
      throw CHECKS.bad(field, "has a negative count or series");
    }
    boolean quantile = operation == Operation.OPERATION_QUANTILE;
    if (quantile != !a.getDigest().isEmpty()) {
      throw CHECKS.bad(field + ".digest", quantile ? "is required for QUANTILE" : "is only for QUANTILE");
    }
    if (!quantile) {
      return Partial.of(a.getCount(), a.getSum(), a.getMin(), a.getMax(), a.getIncrease(), a.getSeries(), null);
    }
    return Partial.received(a.getCount(), a.getSum(), a.getMin(), a.getMax(), a.getIncrease(), a.getSeries(),
        digest(field + ".digest", a.getDigest()));
  }

  /**
   * Checks the header and the length before anything is built from the bytes: a corrupt or hostile
   * compression or count must not allocate the heap away. Reads the centroids (a float weight and a
   * float mean each, after the header) without building a digest: see {@link Partial.ReceivedDigest}.
   */
  private static Partial.ReceivedDigest digest(String field, ByteString bytes) {
    ByteBuffer b = bytes.asReadOnlyByteBuffer();
    if (b.remaining() < SMALL_HEADER_BYTES || b.getInt(0) != SMALL_ENCODING) {
      throw CHECKS.bad(field, "is not a t-digest in its small encoding");
    }
    float compression = b.getFloat(4 + 8 + 8);
    short size = b.getShort(4 + 8 + 8 + 4);
    short bufferSize = b.getShort(4 + 8 + 8 + 4 + 2);
    short centroids = b.getShort(4 + 8 + 8 + 4 + 2 + 2);
    if (compression != (float) Partial.COMPRESSION || size < 0 || size > MAX_CENTROIDS || bufferSize < 0
        || bufferSize > 10 * MAX_CENTROIDS) {
      throw CHECKS.bad(field, "must have compression " + Partial.COMPRESSION + " and at most " + MAX_CENTROIDS
          + " centroids");
    }
    if (centroids < 0 || centroids > size || b.remaining() != SMALL_HEADER_BYTES + 8 * centroids) {
      throw CHECKS.bad(field, "is a damaged t-digest (" + centroids + " centroids in " + b.remaining() + " bytes)");
    }
    double[] means = new double[centroids];
    int[] weights = new int[centroids];
    for (int i = 0, at = SMALL_HEADER_BYTES; i < centroids; i++, at += 8) {
      float weight = b.getFloat(at);
      float mean = b.getFloat(at + 4);
      if (!(weight >= 1 && weight <= Integer.MAX_VALUE && weight == Math.rint(weight)) || !Float.isFinite(mean)) {
        throw CHECKS.bad(field, "is a damaged t-digest (centroid " + i + ": weight " + weight + ", mean " + mean + ")");
      }
      means[i] = mean;
      weights[i] = (int) weight;
    }
    return new Partial.ReceivedDigest() {
      @Override
      public void addTo(TDigest into) {
        for (int i = 0; i < means.length; i++) {
          into.add(means[i], weights[i]);
        }
      }

      @Override
      public TDigest decode() {
        try {
          return MergingDigest.fromBytes(bytes.asReadOnlyByteBuffer());
        } catch (RuntimeException e) {
          // Not expected once the length and centroids were checked; the centroids still make the digest.
          TDigest d = TDigest.createMergingDigest(Partial.COMPRESSION);
          addTo(d);
          return d;
        }
      }
    };
  }
}
