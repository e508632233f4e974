package io.feitian.shennong.monitor.alerts;

import static io.feitian.shennong.monitor.alerts.AlertState.FIRING;
import static io.feitian.shennong.monitor.alerts.AlertState.PENDING;
import static io.feitian.shennong.monitor.alerts.AlertState.RESOLVED;
import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.proto.shennong.v1.GroupResult;
import io.feitian.proto.shennong.v1.Label;
import io.feitian.proto.shennong.v1.SubscriptionUpdate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scripted values and times through every transition of the alert state machine. */
class AlertEvaluatorTest {
  static final long T0 = 1_700_000_000_000L;
  static final String CPU = """
      rules = [ {
        name = Cpu
        threshold { select = "system.cpu.usage", aggregate = avg, by = [node], window = 10s, condition = "> 0.9" }
        for = 30s
        keep_firing_for = 20s
        labels { severity = warning }
        annotations { summary = "{{ $labels.node }} at {{ $value }}" }
      } ]
      """;

  private final AlertEvaluator cpu = new AlertEvaluator(Rules.of(CPU), T0);

  /** Feeds one window of node values ending at T0 + {@code s} seconds, evaluates then, and returns "node FROM>TO". */
  private static List<String> window(AlertEvaluator e, int s, Object... nodeValues) {
    List<Reading> readings = new ArrayList<>();
    for (int i = 0; i < nodeValues.length; i += 2) {
      readings.add(Reading.of(Map.of("node", (String) nodeValues[i]), ((Number) nodeValues[i + 1]).doubleValue()));
    }
    e.observeWindow("Cpu", T0 + s * 1000L, readings);
    return describe(e.evaluate(T0 + s * 1000L));
  }

  static List<String> describe(List<Transition> transitions) {
    return transitions.stream().map(t -> t.alert().labels().getOrDefault("node", t.alert().labels()
        .getOrDefault("job", "-")) + " " + t.from() + ">" + t.to()).toList();
  }

  @Test
  void pendingForItsForThenFiringThenKeptFiringThenResolved() {
    assertThat(window(cpu, 0, "n1", 0.95)).containsExactly("n1 INACTIVE>PENDING");
    assertThat(window(cpu, 10, "n1", 0.97)).isEmpty();
    assertThat(window(cpu, 20, "n1", 0.99)).isEmpty();
    assertThat(window(cpu, 30, "n1", 0.93)).containsExactly("n1 PENDING>FIRING");

    Alert firing = cpu.alerts().get(0);
    assertThat(firing.labels()).containsEntry("alertname", "Cpu").containsEntry("node", "n1")
        .containsEntry("severity", "warning");
    assertThat(firing.annotations()).containsEntry("summary", "n1 at 0.93");
    assertThat(firing.activeAtMs()).isEqualTo(T0);
    assertThat(firing.firedAtMs()).isEqualTo(T0 + 30_000);

    assertThat(window(cpu, 40, "n1", 0.5)).isEmpty();
    assertThat(window(cpu, 50, "n1", 0.5)).as("keep_firing_for 20s since 40s").isEmpty();
    assertThat(window(cpu, 60, "n1", 0.5)).containsExactly("n1 FIRING>RESOLVED");
    Alert resolved = cpu.alerts().get(0);
    assertThat(resolved.state()).isEqualTo(RESOLVED);
    assertThat(resolved.resolvedAtMs()).isEqualTo(T0 + 60_000);
    assertThat(resolved.value()).as("the last value that held").isEqualTo(0.93);

    assertThat(cpu.evaluate(T0 + 60_000 + AlertEvaluator.RESOLVED_KEPT_MS)).isEmpty();
    assertThat(cpu.alerts()).as("resolved alerts are forgotten after 15 minutes").isEmpty();
  }

  @Test
  void flappingWhilePendingStartsTheForAgain() {
    assertThat(window(cpu, 0, "n1", 0.95)).containsExactly("n1 INACTIVE>PENDING");
    assertThat(window(cpu, 10)).as("a group missing from the window does not hold").containsExactly(
        "n1 PENDING>INACTIVE");
    assertThat(cpu.alerts()).isEmpty();
    assertThat(window(cpu, 20, "n1", 0.95)).containsExactly("n1 INACTIVE>PENDING");
    assertThat(window(cpu, 40, "n1", 0.95)).as("20s of 30").isEmpty();
    assertThat(window(cpu, 50, "n1", 0.95)).containsExactly("n1 PENDING>FIRING");
  }

  @Test
  void flappingWhileFiringIsRiddenOutByKeepFiringFor() {
    window(cpu, 0, "n1", 0.95);
    assertThat(window(cpu, 30, "n1", 0.95)).containsExactly("n1 PENDING>FIRING");
    assertThat(window(cpu, 40, "n1", 0.1)).isEmpty();
    assertThat(window(cpu, 50, "n1", 0.95)).as("held again: the keep-firing clock stops").isEmpty();
    assertThat(window(cpu, 60, "n1", 0.1)).isEmpty();
    assertThat(window(cpu, 70, "n1", 0.1)).as("10s since it stopped again, not 30s since 40").isEmpty();
    assertThat(window(cpu, 80, "n1", 0.1)).containsExactly("n1 FIRING>RESOLVED");
    assertThat(window(cpu, 90, "n1", 0.95)).as("a new episode").containsExactly("n1 RESOLVED>PENDING");
    assertThat(cpu.alerts().get(0).firedAtMs()).isZero();
    assertThat(window(cpu, 120, "n1", 0.95)).containsExactly("n1 PENDING>FIRING");
  }

  @Test
  void groupsAreAlertedApartAndWithoutForAtOnce() {
    AlertEvaluator e = new AlertEvaluator(Rules.of(CPU.replace("for = 30s", "")), T0);
    assertThat(window(e, 0, "n1", 0.95, "n2", 0.2, "n3", 0.91)).containsExactly("n1 INACTIVE>FIRING",
        "n3 INACTIVE>FIRING");
    assertThat(window(e, 10, "n1", 0.2, "n2", 0.2, "n3", 0.91)).isEmpty();
    assertThat(window(e, 30, "n1", 0.2, "n2", 0.95, "n3", 0.91)).containsExactly("n2 INACTIVE>FIRING",
        "n1 FIRING>RESOLVED");
  }

  @Test
  void nothingChangesBeforeTheFirstWindowAndAnOlderWindowIsIgnored() {
    assertThat(cpu.evaluate(T0 + 600_000)).isEmpty();
    window(cpu, 100, "n1", 0.95);
    cpu.observeWindow("Cpu", T0 + 90_000, List.of());
    assertThat(cpu.evaluate(T0 + 110_000)).isEmpty();
    assertThat(cpu.alerts()).extracting(Alert::state).containsExactly(PENDING);
  }

  @Test
  void subscriptionUpdatesFeedTheirRule() {
    AlertEvaluator e = new AlertEvaluator(Rules.of(CPU.replace("for = 30s", "")), T0);
    e.observeUpdate("Cpu", SubscriptionUpdate.newBuilder().setWindowStartMs(T0 - 10_000)
        .addGroups(GroupResult.newBuilder().addGroup(Label.newBuilder().setName("node").setValue("n7")).setValue(0.99))
        .build());
    List<Transition> t = e.evaluate(T0);
    assertThat(describe(t)).containsExactly("n7 INACTIVE>FIRING");
    assertThat(t.get(0).alert().value()).isEqualTo(0.99);
    assertThat(t.get(0).atMs()).isEqualTo(T0);
  }

  @Test
  void aSeriesThatStopsReportingIsAbsent() {
    AlertEvaluator e = new AlertEvaluator(Rules.of("""
        rules = [ { name = Silent, absent { select = "system.cpu.usage", by = [node], after = 30s },
                    annotations { s = "{{ $labels.node }} silent {{ $value }}s" } } ]
        """), T0);
    e.observeWindow("Silent", T0, List.of(node("n1"), node("n2")));
    assertThat(e.evaluate(T0)).isEmpty();
    for (int s = 10; s <= 20; s += 10) {
      e.observeWindow("Silent", T0 + s * 1000L, List.of(node("n1")));
      assertThat(e.evaluate(T0 + s * 1000L)).as("n2 silent %ss", s).isEmpty();
    }
    e.observeWindow("Silent", T0 + 30_000, List.of(node("n1")));
    List<Transition> t = e.evaluate(T0 + 30_000);
    assertThat(describe(t)).as("silent for 30s").containsExactly("n2 INACTIVE>FIRING");
    assertThat(t.get(0).alert().annotations()).containsEntry("s", "n2 silent 30s");
    e.observeWindow("Silent", T0 + 50_000, List.of(node("n1"), node("n2")));
    assertThat(describe(e.evaluate(T0 + 50_000))).containsExactly("n2 FIRING>RESOLVED");
  }

  @Test
  void withoutByNothingReportingAtAllIsAbsenceFromTheStart() {
    AlertEvaluator e = new AlertEvaluator(Rules.of("""
        rules = [ { name = NoData, absent { select = "app.heartbeat", after = 30s } } ]
        """), T0);
    e.observeWindow("NoData", T0 + 10_000, List.of());
    assertThat(e.evaluate(T0 + 20_000)).isEmpty();
    assertThat(describe(e.evaluate(T0 + 30_000))).containsExactly("- INACTIVE>FIRING");
  }

  @Test
  void moreThanNEventsWithinTheWindowPerGroup() {
    AlertEvaluator e = new AlertEvaluator(Rules.of("""
        rules = [ { name = Failing, events { select = "job.instance.failed", by = [job], more_than = 2, within = 1m },
                    annotations { s = "{{ $value }} failures of {{ $labels.job }}" } } ]
        """), T0);
    e.observeEvent("Failing", Map.of("job", "a", "task", "t1"), T0);
    e.observeEvent("Failing", Map.of("job", "b"), T0 + 500);
    e.observeEvent("Failing", Map.of("job", "a"), T0 + 1_000);
    assertThat(e.evaluate(T0 + 1_500)).as("2 is not more than 2").isEmpty();
    e.observeEvent("Failing", Map.of("job", "a"), T0 + 2_000);
    e.observeEvent("Failing", Map.of("job", "b"), T0 + 2_000);
    List<Transition> t = e.evaluate(T0 + 3_000);
    assertThat(describe(t)).containsExactly("a INACTIVE>FIRING");
    assertThat(t.get(0).alert().annotations()).containsEntry("s", "3 failures of a");
    assertThat(e.eventsSinceMs("Failing")).isEqualTo(T0 + 2_000);
    assertThat(e.evaluate(T0 + 59_999)).isEmpty();
    assertThat(describe(e.evaluate(T0 + 60_000))).as("the event at T0 left the window").containsExactly(
        "a FIRING>RESOLVED");
  }

  @Test
  void aRestoredEvaluatorGoesOnExactlyAsTheOriginal() {
    AlertEvaluator original = new AlertEvaluator(Rules.of(CPU), T0);
    window(original, 0, "n1", 0.95, "n2", 0.95);
    window(original, 30, "n1", 0.95);
    assertThat(original.alerts()).extracting(Alert::state).containsExactly(FIRING);
    window(original, 40, "n1", 0.3);

    AlertEvaluator restored = AlertEvaluator.restore(Rules.of(CPU), original.snapshot(), T0 + 45_000);
    assertThat(restored.alerts()).isEqualTo(original.alerts());
    assertThat(restored.evaluate(T0 + 46_000)).as("no window yet: nothing resolves").isEmpty();
    Map<Integer, Object[]> script = new LinkedHashMap<>();
    script.put(50, new Object[] {"n1", 0.3, "n3", 0.99});
    script.put(60, new Object[] {"n3", 0.99});
    script.put(90, new Object[] {"n3", 0.99});
    script.forEach((s, values) -> assertThat(window(restored, s, values)).isEqualTo(window(original, s, values)));
    assertThat(restored.snapshot()).isEqualTo(original.snapshot());
  }

  @Test
  void aReloadDropsTheStateOfRemovedRules() {
    window(cpu, 0, "n1", 0.95);
    AlertEvaluator reloaded = AlertEvaluator.restore(Rules.of("""
        rules = [ { name = Other, absent { select = x, after = 1m } } ]
        """), cpu.snapshot(), T0 + 1);
    assertThat(reloaded.alerts()).isEmpty();
  }

  private static Reading node(String node) {
    return Reading.of(Map.of("node", node), 1);
  }
}
