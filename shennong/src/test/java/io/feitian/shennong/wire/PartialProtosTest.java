package io.feitian.shennong.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.feitian.proto.shennong.v1.GroupPartial;
import io.feitian.proto.shennong.v1.Label;
import io.feitian.proto.shennong.v1.Operation;
import io.feitian.proto.shennong.v1.PartialAggregate;
import io.feitian.proto.shennong.v1.PartialReport;
import io.feitian.shennong.ops.Evaluation;
import io.feitian.shennong.ops.GroupKey;
import io.feitian.shennong.ops.Partial;
import io.feitian.shennong.ops.WindowQuery;
import io.feitian.shennong.select.Selector;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PartialProtosTest {
  private static final WindowQuery QUANTILES = new WindowQuery(Selector.parse("x"), Operation.OPERATION_QUANTILE,
      List.of("node", "rack"), 10_000, 1000, List.of(0.5, 0.9));

  @Test
  void aReportReadsBackIntoWhatTheAgentComputed() throws Exception {
    Random random = new Random(7);
    Partial p = Partial.empty(Operation.OPERATION_QUANTILE);
    for (int i = 0; i < 5000; i++) {
      p.add(random.nextGaussian() * 100);
    }
    p.addSeries();
    GroupKey g = GroupKey.of(List.of("n1", ""));
    PartialReport r = PartialProtos.report("sub-1", 7, 123_000, QUANTILES, new Evaluation(Map.of(g, p), 2, 1));
    assertThat(r.getGroups(0).getGroupList()).containsExactly(Label.newBuilder().setName("node").setValue("n1").build(),
        Label.newBuilder().setName("rack").setValue("").build());
    Evaluation back = PartialProtos.evaluation(PartialReport.parseFrom(r.toByteArray()), QUANTILES);
    assertThat(back.incompleteSeries()).isEqualTo(2);
    assertThat(back.groupsOverLimit()).isEqualTo(1);
    Partial q = back.groups().get(g);
    assertThat(q.count()).isEqualTo(p.count());
    assertThat(q.sum()).isEqualTo(p.sum());
    assertThat(q.min()).isEqualTo(p.min());
    assertThat(q.max()).isEqualTo(p.max());
    assertThat(q.series()).isEqualTo(1);
    // The small encoding keeps centroid means as floats: the estimate moves by far less than its error.
    assertThat(q.quantile(0.5)).isCloseTo(p.quantile(0.5), org.assertj.core.api.Assertions.within(0.01));
    assertThat(q.digest().size()).isEqualTo(5000);
  }

  private static Partial quantilePartial(int n) {
    Partial p = Partial.empty(Operation.OPERATION_QUANTILE);
    for (int i = 0; i < n; i++) {
      p.add(i);
    }
    return p;
  }

  @Test
  void anEmptyPartialHasNoMinOrMax() {
    Partial empty = Partial.empty(Operation.OPERATION_SUM);
    PartialAggregate a = PartialProtos.aggregate(empty);
    assertThat(a.hasField(PartialAggregate.getDescriptor().findFieldByName("min"))).isFalse();
    Partial back = PartialProtos.partial("a", a, Operation.OPERATION_SUM);
    Partial one = Partial.empty(Operation.OPERATION_SUM);
    one.add(-5);
    back.merge(one);
    assertThat(back.min()).isEqualTo(-5);
    assertThat(back.max()).isEqualTo(-5);
  }

  @Test
  void aBadReportIsRefusedNamingTheField() {
    PartialAggregate noDigest = PartialAggregate.newBuilder().setCount(1).setSum(1).build();
    GroupPartial.Builder g = GroupPartial.newBuilder().addGroup(Label.newBuilder().setName("node").setValue("n1"))
        .addGroup(Label.newBuilder().setName("rack").setValue("r1")).setAggregate(noDigest);
    assertThatThrownBy(() -> PartialProtos.evaluation(PartialReport.newBuilder().addGroups(g).build(), QUANTILES))
        .hasMessage("groups[0].aggregate.digest is required for QUANTILE");
    GroupPartial garbage = g.setAggregate(noDigest.toBuilder().setDigest(ByteString.copyFromUtf8("not a digest"))).build();
    assertThatThrownBy(() -> PartialProtos.evaluation(PartialReport.newBuilder().addGroups(garbage).build(), QUANTILES))
        .hasMessage("groups[0].aggregate.digest is not a t-digest in its small encoding");
    // Cut short, or a centroid that is no count: refused when read, not when merged.
    ByteString good = PartialProtos.aggregate(quantilePartial(10)).getDigest();
    GroupPartial cut = g.setAggregate(noDigest.toBuilder().setDigest(good.substring(0, good.size() - 3))).build();
    assertThatThrownBy(() -> PartialProtos.evaluation(PartialReport.newBuilder().addGroups(cut).build(), QUANTILES))
        .hasMessageStartingWith("groups[0].aggregate.digest is a damaged t-digest");
    byte[] zeroWeight = good.toByteArray();
    java.nio.ByteBuffer.wrap(zeroWeight).putFloat(30, 0f); // the first centroid's weight
    GroupPartial noCount = g.setAggregate(noDigest.toBuilder().setDigest(ByteString.copyFrom(zeroWeight))).build();
    assertThatThrownBy(() -> PartialProtos.evaluation(PartialReport.newBuilder().addGroups(noCount).build(), QUANTILES))
        .hasMessageStartingWith("groups[0].aggregate.digest is a damaged t-digest (centroid 0");
    GroupPartial wrongLabel = g.setAggregate(noDigest).setGroup(1, Label.newBuilder().setName("role").setValue("x")).build();
    assertThatThrownBy(() -> PartialProtos.evaluation(PartialReport.newBuilder().addGroups(wrongLabel).build(), QUANTILES))
        .hasMessage("groups[0].group[1].name must be rack");
  }

  @Test
  void aDigestWhoseHeaderWouldAllocateTooMuchIsRefusedBeforeDecoding() {
    Partial p = Partial.empty(Operation.OPERATION_QUANTILE);
    p.add(1);
    byte[] bytes = PartialProtos.aggregate(p).getDigest().toByteArray();
    // The first short after the float compression is the digest's capacity.
    bytes[24] = 0x7f;
    bytes[25] = 0x7f;
    PartialAggregate hostile = PartialAggregate.newBuilder().setCount(1).setDigest(ByteString.copyFrom(bytes)).build();
    assertThatThrownBy(() -> PartialProtos.partial("aggregate", hostile, Operation.OPERATION_QUANTILE))
        .hasMessage("aggregate.digest must have compression 200.0 and at most 2000 centroids");
    byte[] cut = PartialProtos.aggregate(p).getDigest().substring(0, 30).toByteArray();
    PartialAggregate truncated = PartialAggregate.newBuilder().setCount(1).setDigest(ByteString.copyFrom(cut)).build();
    assertThatThrownBy(() -> PartialProtos.partial("aggregate", truncated, Operation.OPERATION_QUANTILE))
        .hasMessageStartingWith("aggregate.digest is a damaged t-digest");
  }
}
