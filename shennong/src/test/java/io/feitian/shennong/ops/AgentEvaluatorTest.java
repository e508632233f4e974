package io.feitian.shennong.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.feitian.proto.shennong.v1.Operation;
import io.feitian.shennong.select.Selector;
import io.feitian.shennong.series.SeriesKey;
import io.feitian.shennong.series.SeriesStore;
import io.feitian.shennong.series.StoreLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentEvaluatorTest {
  private static final long T0 = 1_700_000_000_000L;
  private final SeriesStore store = new SeriesStore(StoreLimits.DEFAULT);

  private void write(String name, Map<String, String> labels, long t, double v) {
    store.append("test", SeriesKey.of(name, labels), t, v);
  }

  private static WindowQuery query(String selector, Operation op, List<String> by, long window) {
    return new WindowQuery(Selector.parse(selector), op, by, window, 1000,
        op == Operation.OPERATION_QUANTILE ? List.of(0.5) : List.of());
  }

  @Test
  void groupsByTheListedLabelsAndSeriesWithoutOneFormTheEmptyGroup() {
    write("cpu", Map.of("node", "n1", "rack", "r1"), T0 + 1000, 1);
    write("cpu", Map.of("node", "n2", "rack", "r1"), T0 + 1000, 2);
    write("cpu", Map.of("node", "n3"), T0 + 1000, 4);
    write("cpu", Map.of("node", "n4"), T0 + 2000, 8);
    Evaluation e = AgentEvaluator.evaluate(store, query("cpu", Operation.OPERATION_SUM, List.of("rack"), 10_000),
        T0 + 5000);
    assertThat(e.groups()).containsOnlyKeys(GroupKey.of(List.of("r1")), GroupKey.of(List.of("")));
    assertThat(e.groups().get(GroupKey.of(List.of("r1"))).sum()).isEqualTo(3);
    assertThat(e.groups().get(GroupKey.of(List.of(""))).sum()).isEqualTo(12);
    assertThat(e.groups().get(GroupKey.of(List.of(""))).series()).isEqualTo(2);
    Evaluation all = AgentEvaluator.evaluate(store, query("cpu", Operation.OPERATION_SUM, List.of(), 10_000), T0 + 5000);
    assertThat(all.groups()).containsOnlyKeys(GroupKey.NONE);
    assertThat(all.groups().get(GroupKey.NONE).count()).isEqualTo(4);
  }

  @Test
  void theWindowExcludesItsStartAndIncludesItsEnd() {
    for (int i = 0; i <= 10; i++) {
      write("x", Map.of(), T0 + i * 1000L, i);
    }
    Partial p = AgentEvaluator.evaluate(store, query("x", Operation.OPERATION_COUNT, List.of(), 5000), T0 + 7000)
        .groups().get(GroupKey.NONE);
    // (T0+2000, T0+7000]: samples 3..7.
    assertThat(p.count()).isEqualTo(5);
    assertThat(p.sum()).isEqualTo(25);
    assertThat(p.min()).isEqualTo(3);
    assertThat(p.max()).isEqualTo(7);
    Evaluation empty = AgentEvaluator.evaluate(store, query("x", Operation.OPERATION_COUNT, List.of(), 5000),
        T0 + 100_000);
    assertThat(empty.groups()).isEmpty();
  }

  @Test
  void rateStartsFromTheLastSampleBeforeTheWindowAndTreatsADropAsAReset() {
    // A counter: 10, 20, 30, reset to 5, 15 at 1 s steps from T0.
    double[] values = {10, 20, 30, 5, 15};
    for (int i = 0; i < values.length; i++) {
      write("c", Map.of(), T0 + i * 1000L, values[i]);
    }
    // (T0, T0+4000]: from 10 (at T0, the window's start) to 20, 30, 5 (reset: +5), 15: 10+10+5+10.
    WindowQuery q = query("c", Operation.OPERATION_RATE, List.of(), 4000);
    Partial p = AgentEvaluator.evaluate(store, q, T0 + 4000).groups().get(GroupKey.NONE);
    assertThat(p.increase()).isEqualTo(35);
    Merger m = new Merger(q, T0 + 4000, List.of("a"));
    m.add("a", AgentEvaluator.evaluate(store, q, T0 + 4000));
    assertThat(m.finish().groups().get(GroupKey.NONE).value()).isEqualTo(35 / 4.0);
    // A window whose start precedes every sample begins at the first one.
    WindowQuery longer = query("c", Operation.OPERATION_RATE, List.of(), 60_000);
    assertThat(AgentEvaluator.evaluate(store, longer, T0 + 4000).groups().get(GroupKey.NONE).increase())
        .isEqualTo(35);
  }

  @Test
  void adjacentWindowsOfARateAddUpToTheWhole() {
    double[] values = {1, 4, 9, 2, 3, 50, 0, 7};
    for (int i = 0; i < values.length; i++) {
      write("c", Map.of(), T0 + i * 1000L, values[i]);
    }
    WindowQuery two = query("c", Operation.OPERATION_RATE, List.of(), 2000);
    double sum = 0;
    for (long end = T0 + 2000; end <= T0 + 8000; end += 2000) {
      Partial p = AgentEvaluator.evaluate(store, two, end).groups().get(GroupKey.NONE);
      sum += p == null ? 0 : p.increase();
    }
    WindowQuery whole = query("c", Operation.OPERATION_RATE, List.of(), 8000);
    assertThat(AgentEvaluator.evaluate(store, whole, T0 + 8000).groups().get(GroupKey.NONE).increase())
        .isEqualTo(sum);
  }

  @Test
  void seriesThatNoLongerHoldTheWholeWindowAreCounted() {
    SeriesStore small = new SeriesStore(new StoreLimits(120_000, 4, 10, 10));
    for (int i = 0; i < 10; i++) {
      small.append("s", SeriesKey.of("x", Map.of("n", "fast")), T0 + i * 100L, i);
    }
    small.append("s", SeriesKey.of("x", Map.of("n", "slow")), T0 + 500, 1);
    Evaluation e = AgentEvaluator.evaluate(small, query("x", Operation.OPERATION_COUNT, List.of(), 5000), T0 + 1000);
    assertThat(e.incompleteSeries()).isEqualTo(1);
    assertThat(e.groups().get(GroupKey.NONE).count()).isEqualTo(5);
    // (T0+500, T0+1500] starts where the dropped samples end: complete.
    Evaluation recent = AgentEvaluator.evaluate(small, query("x", Operation.OPERATION_COUNT, List.of(), 1000),
        T0 + 1500);
    assertThat(recent.incompleteSeries()).isZero();
  }

  @Test
  void groupsBeyondTheLimitAreLeftOutAndCounted() {
    SeriesStore big = new SeriesStore(new StoreLimits(120_000, 8, 20_000, 20_000));
    for (int i = 0; i < WindowQuery.MAX_GROUPS + 5; i++) {
      big.append("test", SeriesKey.of("x", Map.of("id", "s" + i)), T0, 1);
    }
    Evaluation e = AgentEvaluator.evaluate(big, query("x", Operation.OPERATION_SUM, List.of("id"), 5000), T0);
    assertThat(e.groups()).hasSize(WindowQuery.MAX_GROUPS);
    assertThat(e.groupsOverLimit()).isEqualTo(5);
  }

  @Test
  void quantilesComeFromTheDigestAndTheEndsAreExact() {
    for (int i = 1; i <= 100; i++) {
      write("lat", Map.of(), T0 + i, i);
    }
    WindowQuery q = new WindowQuery(Selector.parse("lat"), Operation.OPERATION_QUANTILE, List.of(), 1000, 1000,
        List.of(0.0, 0.5, 0.99, 1.0));
    Merger m = new Merger(q, T0 + 100, List.of("a"));
    m.add("a", AgentEvaluator.evaluate(store, q, T0 + 100));
    List<Double> qs = m.finish().groups().get(GroupKey.NONE).quantiles();
    assertThat(qs.get(0)).isEqualTo(1);
    assertThat(qs.get(1)).isCloseTo(50.5, within(1.0));
    assertThat(qs.get(2)).isCloseTo(99.5, within(1.0));
    assertThat(qs.get(3)).isEqualTo(100);
  }

  @Test
  void rawSamplesAreTheNewOnesOrTheNewestOfEachSeries() {
    for (int i = 0; i < 5; i++) {
      write("x", Map.of("n", "a"), T0 + i * 1000L, i);
      write("x", Map.of("n", "b"), T0 + i * 1000L + 500, 10 + i);
    }
    List<String> got = new ArrayList<>();
    RawSamples.between(store, Selector.parse("x{n=\"a\"}"), T0 + 1000, T0 + 3000,
        (k, t, v) -> got.add(k.valueOf("n") + "@" + (t - T0) + "=" + v));
    assertThat(got).containsExactly("a@2000=2.0", "a@3000=3.0");
    got.clear();
    RawSamples.newest(store, Selector.parse("x"), T0 + 3000, (k, t, v) -> got.add(k.valueOf("n") + "=" + v));
    assertThat(got).containsExactlyInAnyOrder("a=3.0", "b=12.0");
  }

  @Test
  void rawHasNoWindow() {
    WindowQuery raw = new WindowQuery(Selector.parse("x"), Operation.OPERATION_RAW, List.of(), 0, 0, List.of());
    assertThatThrownBy(() -> AgentEvaluator.evaluate(store, raw, T0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Merger(raw, T0, List.of())).isInstanceOf(IllegalArgumentException.class);
  }
}
