package io.feitian.shennong.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.proto.shennong.v1.Operation;
import io.feitian.shennong.select.Selector;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MergerTest {
  private static final long END = 1_700_000_010_000L;

  private static WindowQuery query(Operation op) {
    return new WindowQuery(Selector.parse("x"), op, List.of(), 10_000, 1000, List.of());
  }

  private static Evaluation report(Operation op, double... values) {
    Partial p = Partial.empty(op);
    for (double v : values) {
      p.add(v);
    }
    p.addSeries();
    return new Evaluation(Map.of(GroupKey.NONE, p), 0, 0);
  }

  @Test
  void theAverageIsSumOverCountAcrossAgentsNeverAnAverageOfAverages() {
    Merger m = new Merger(query(Operation.OPERATION_AVG), END, List.of("a", "b"));
    m.add("a", report(Operation.OPERATION_AVG, 10));
    m.add("b", report(Operation.OPERATION_AVG, 1, 1, 1, 1));
    GroupValue v = m.finish().groups().get(GroupKey.NONE);
    // Averages of averages would say 5.5.
    assertThat(v.value()).isEqualTo(14 / 5.0);
    assertThat(v.samples()).isEqualTo(5);
    assertThat(v.series()).isEqualTo(2);
  }

  @Test
  void everyOperationHasItsFinalValue() {
    Map<Operation, Double> expected = Map.of(Operation.OPERATION_SUM, 10.0, Operation.OPERATION_MIN, -2.0,
        Operation.OPERATION_MAX, 7.0, Operation.OPERATION_COUNT, 4.0, Operation.OPERATION_AVG, 2.5);
    expected.forEach((op, value) -> {
      Merger m = new Merger(query(op), END, List.of("a", "b"));
      m.add("a", report(op, 7, -2));
      m.add("b", report(op, 3, 2));
      assertThat(m.finish().groups().get(GroupKey.NONE).value()).as(op.name()).isEqualTo(value);
    });
  }

  @Test
  void agentsThatDidNotReportAreNamedAndAResentReportCountsOnce() {
    Merger m = new Merger(query(Operation.OPERATION_SUM), END, List.of("c", "a", "b"));
    assertThat(m.add("a", report(Operation.OPERATION_SUM, 5))).isTrue();
    assertThat(m.add("a", report(Operation.OPERATION_SUM, 5))).isFalse();
    assertThat(m.complete()).isFalse();
    MergedWindow w = m.finish();
    assertThat(w.groups().get(GroupKey.NONE).value()).isEqualTo(5);
    assertThat(w.missingAgents()).containsExactly("b", "c");
    assertThat(w.windowStartMs()).isEqualTo(END - 10_000);
  }

  @Test
  void anAgentNotExpectedStillCountsAndCompletenessNeedsOnlyTheExpected() {
    Merger m = new Merger(query(Operation.OPERATION_SUM), END, List.of("a"));
    m.add("late-joiner", new Evaluation(Map.of(), 3, 1));
    assertThat(m.complete()).isFalse();
    m.add("a", report(Operation.OPERATION_SUM, 1));
    assertThat(m.complete()).isTrue();
    MergedWindow w = m.finish();
    assertThat(w.missingAgents()).isEmpty();
    assertThat(w.incompleteSeries()).isEqualTo(3);
    assertThat(w.groupsOverLimit()).isEqualTo(1);
  }

  @Test
  void groupsComeOutSortedAndTheLimitHoldsAcrossAgents() {
    WindowQuery q = new WindowQuery(Selector.parse("x"), Operation.OPERATION_SUM, List.of("id"), 10_000, 1000,
        List.of());
    Merger m = new Merger(q, END, List.of("a", "b"));
    Map<GroupKey, Partial> a = new java.util.HashMap<>();
    Map<GroupKey, Partial> b = new java.util.HashMap<>();
    for (int i = 0; i < WindowQuery.MAX_GROUPS; i++) {
      Partial p = Partial.empty(Operation.OPERATION_SUM);
      p.add(1);
      (i % 2 == 0 ? a : b).put(GroupKey.of(List.of(String.format("g%05d", i))), p);
    }
    Partial extra = Partial.empty(Operation.OPERATION_SUM);
    extra.add(1);
    b.put(GroupKey.of(List.of("zzz")), extra);
    m.add("a", new Evaluation(a, 0, 0));
    m.add("b", new Evaluation(b, 0, 0));
    MergedWindow w = m.finish();
    assertThat(w.groups()).hasSize(WindowQuery.MAX_GROUPS);
    assertThat(w.groupsOverLimit()).isEqualTo(1);
    assertThat(new java.util.ArrayList<>(w.groups().keySet())).isSorted();
  }
}
