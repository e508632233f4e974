package io.feitian.shennong.monitor.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.shennong.monitor.alerts.AlertEvaluator;
import io.feitian.shennong.monitor.alerts.Reading;
import io.feitian.shennong.monitor.alerts.Rules;
import io.feitian.shennong.monitor.notify.Matchers;
import io.feitian.shennong.monitor.notify.Notifier;
import io.feitian.shennong.monitor.notify.NotifyPolicy;
import io.feitian.shennong.monitor.notify.Silence;
import io.feitian.shennong.monitor.notify.Silences;
import io.feitian.shennong.monitor.rules.RuleSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A monitor-service's state through JSON mid-sequence: the standby built from it goes on as the
 * original would, with no alert lost and no notification sent twice.
 */
class MonitorSnapshotTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final RuleSet RULES = Rules.of("""
      rules = [
        { name = Cpu, threshold { select = cpu, aggregate = max, by = [node], window = 10s, condition = "> 0.9" },
          for = 10s, annotations { s = "{{ $labels.node }} {{ $value }}" } }
        { name = Silent, absent { select = cpu, by = [node], after = 20s } }
        { name = Failing, events { select = job.instance.failed, by = [job], more_than = 1, within = 1m } }
      ]
      """);
  private static final NotifyPolicy POLICY = new NotifyPolicy(List.of("alertname"), 10_000, 30_000, 600_000);

  private static final class Service {
    AlertEvaluator evaluator;
    Notifier notifier;

    Service(AlertEvaluator evaluator, Notifier notifier) {
      this.evaluator = evaluator;
      this.notifier = notifier;
    }

    /** One step of the shell: the windows, the events, then evaluate and notify; the notifications as text. */
    List<String> step(int s, Map<String, Double> cpu, String... failedJobs) {
      long now = T0 + s * 1000L;
      List<Reading> readings = cpu.entrySet().stream().map(e -> Reading.of(Map.of("node", e.getKey()), e.getValue()))
          .toList();
      evaluator.observeWindow("Cpu", now, readings);
      evaluator.observeWindow("Silent", now, readings);
      for (String job : failedJobs) {
        evaluator.observeEvent("Failing", Map.of("job", job), now);
      }
      evaluator.evaluate(now);
      return notifier.step(now, evaluator.alerts()).stream().map(n -> n.status() + " " + n.alerts()).toList();
    }

    MonitorSnapshot snapshot(long now) {
      return new MonitorSnapshot(now, evaluator.snapshot(), notifier.snapshot());
    }
  }

  @Test
  void aStandbyFromTheJsonSnapshotGoesOnWithoutLossOrRepeat() {
    Service active = new Service(new AlertEvaluator(RULES, T0), new Notifier(POLICY, RULES.inhibitions(),
        new Silences()));
    active.notifier.silences().add(new Silence("s1", Matchers.parse("{job=\"quiet\"}"), T0, T0 + 600_000, "ops",
        "known"));
    active.step(0, Map.of("n1", 0.95, "n2", 0.5), "a", "quiet");
    active.step(10, Map.of("n1", 0.95, "n2", 0.5), "a", "quiet");
    assertThat(active.step(20, Map.of("n1", 0.95, "n2", 0.5))).as("Cpu{n1} and Failing{job=a} fired at 10s")
        .containsExactly("firing [Cpu{node=n1} FIRING]", "firing [Failing{job=a} FIRING]");
    assertThat(active.step(30, Map.of("n1", 0.95))).isEmpty();

    String json = active.snapshot(T0 + 30_000).toJson();
    MonitorSnapshot read = MonitorSnapshot.fromJson(json);
    assertThat(read).isEqualTo(active.snapshot(T0 + 30_000));
    Service standby = new Service(AlertEvaluator.restore(RULES, read.evaluator(), T0 + 31_000),
        Notifier.restore(POLICY, RULES.inhibitions(), read.notifier()));
    assertThat(standby.evaluator.alerts()).isEqualTo(active.evaluator.alerts());
    assertThat(standby.evaluator.eventsSinceMs("Failing")).isEqualTo(T0 + 10_000);

    for (int s = 40; s <= 120; s += 10) {
      Map<String, Double> cpu = s < 80 ? Map.of("n1", 0.95) : Map.of("n1", 0.2);
      List<String> expected = active.step(s, cpu);
      assertThat(standby.step(s, cpu)).as("at %ss", s).isEqualTo(expected);
    }
    assertThat(standby.snapshot(0)).isEqualTo(active.snapshot(0));
  }

  @Test
  void somethingElseIsNoSnapshot() {
    assertThatThrownBy(() -> MonitorSnapshot.fromJson("{\"takenAtMs\": \"soon\"}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not a monitor snapshot");
  }
}
