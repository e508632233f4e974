package io.feitian.shennong.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.tdunning.math.stats.Centroid;
import com.tdunning.math.stats.TDigest;
import io.feitian.proto.shennong.v1.Operation;
import io.feitian.shennong.select.Selector;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The master takes t-digests from reports as {@link Partial.ReceivedDigest}s: merged centroid by
 * centroid into one accumulator per group, and built into a digest of their own only for a group
 * nothing was merged into (which keeps the agent's digest exactly).
 */
class ReceivedDigestTest {
  private static final long END = 1_700_000_010_000L;
  private static final WindowQuery QUANTILES = new WindowQuery(Selector.parse("x"), Operation.OPERATION_QUANTILE,
      List.of(), 10_000, 1000, List.of(0.5, 0.9));

  /** A digest as a report carries it, counting how the master uses it. */
  private static final class Counting implements Partial.ReceivedDigest {
    final TDigest agents = TDigest.createMergingDigest(Partial.COMPRESSION);
    int added;
    int decoded;

    @Override
    public void addTo(TDigest into) {
      added++;
      for (Centroid c : agents.centroids()) {
        into.add(c.mean(), c.count());
      }
    }

    @Override
    public TDigest decode() {
      decoded++;
      return agents;
    }
  }

  /** Agent {@code i}'s partial of the values from {@code from} (inclusive) to {@code to} (exclusive). */
  private static Partial received(Counting d, int from, int to) {
    IntStream.range(from, to).forEach(d.agents::add);
    return Partial.received(to - from, IntStream.range(from, to).sum(), from, to - 1, 0, 1, d);
  }

  @Test
  void digestsOfSeveralAgentsAreAddedIntoOneAccumulatorNotBuiltOneByOne() {
    Merger m = new Merger(QUANTILES, END, List.of("a", "b", "c"));
    Counting[] digests = {new Counting(), new Counting(), new Counting()};
    for (int i = 0; i < 3; i++) {
      m.add("abc".substring(i, i + 1), new Evaluation(Map.of(GroupKey.NONE, received(digests[i], 1000 * i,
          1000 * (i + 1))), 0, 0));
    }
    GroupValue v = m.finish().groups().get(GroupKey.NONE);
    for (Counting d : digests) {
      assertThat(d.decoded).as("no digest built per report").isZero();
      assertThat(d.added).isEqualTo(1);
    }
    assertThat(v.samples()).isEqualTo(3000);
    // 0..2999 once each: within the merged digest's error (MergePropertyTest: 1.5% of the rank).
    assertThat(v.quantiles().get(0)).isCloseTo(1499.5, within(45.0));
    assertThat(v.quantiles().get(1)).isCloseTo(2699.5, within(45.0));
  }

  @Test
  void aGroupOneAgentSawKeepsThatAgentsDigestExactly() {
    Merger m = new Merger(QUANTILES, END, List.of("a"));
    Counting d = new Counting();
    m.add("a", new Evaluation(Map.of(GroupKey.NONE, received(d, 0, 777)), 0, 0));
    GroupValue v = m.finish().groups().get(GroupKey.NONE);
    assertThat(d.decoded).isEqualTo(1);
    assertThat(d.added).isZero();
    assertThat(v.quantiles()).containsExactly(d.agents.quantile(0.5), d.agents.quantile(0.9));
  }

  @Test
  void aReceivedPartialMergesIntoOneTheAgentBuiltAndTheOtherWayRound() {
    Partial local = Partial.empty(Operation.OPERATION_QUANTILE);
    IntStream.range(0, 100).forEach(local::add);
    Counting d = new Counting();
    local.merge(received(d, 100, 200));
    assertThat(local.count()).isEqualTo(200);
    assertThat(local.digest().size()).isEqualTo(200);
    Counting e = new Counting();
    Partial first = received(e, 0, 100);
    Partial other = Partial.empty(Operation.OPERATION_QUANTILE);
    IntStream.range(100, 200).forEach(other::add);
    first.merge(other);
    assertThat(first.digest().size()).isEqualTo(200);
    assertThat(e.decoded).isZero();
  }
}
