package io.feitian.shennong.monitor.notify;

import static io.feitian.shennong.monitor.notify.Alerts.firing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.shennong.monitor.alerts.Alert;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Alertmanager's grouping, timing, silences and inhibition, step by step. */
class NotifierTest {
  static final long T0 = 1_700_000_000_000L;
  static final NotifyPolicy POLICY = new NotifyPolicy(List.of("alertname"), 30_000, 60_000, 600_000);

  private final Notifier notifier = new Notifier(POLICY, List.of(), new Silences());
  private final List<Alert> current = new ArrayList<>();

  private List<String> at(int s) {
    return describe(notifier.step(T0 + s * 1000L, current));
  }

  static List<String> describe(List<Notification> notifications) {
    return notifications.stream().map(n -> n.groupLabels().get("alertname") + " " + n.status() + ": "
        + String.join(", ", n.alerts().stream().map(Alerts::name).toList())).toList();
  }

  @Test
  void groupWaitBatchesAlertsThenGroupIntervalThenRepeatInterval() {
    current.add(firing("Cpu", "n1", T0));
    assertThat(at(0)).isEmpty();
    current.add(firing("Cpu", "n2", T0 + 10_000));
    current.add(firing("Mem", "n1", T0 + 10_000));
    assertThat(at(10)).isEmpty();
    assertThat(at(29)).isEmpty();
    assertThat(at(30)).as("one notification for both Cpu alerts").containsExactly("Cpu firing: Cpu/n1, Cpu/n2");
    assertThat(notifier.nextFlushMs()).as("Mem's group waits from its own first alert").isEqualTo(T0 + 40_000);
    assertThat(at(40)).containsExactly("Mem firing: Mem/n1");

    current.add(firing("Cpu", "n3", T0 + 45_000));
    assertThat(at(45)).as("an existing group waits for its next interval").isEmpty();
    assertThat(at(89)).isEmpty();
    assertThat(at(90)).containsExactly("Cpu firing: Cpu/n1, Cpu/n2, Cpu/n3");
    for (int s = 150; s < 690; s += 60) {
      assertThat(at(s)).as("nothing new at %ss, repeat not due", s).filteredOn(n -> n.startsWith("Cpu")).isEmpty();
    }
    assertThat(at(690)).as("repeat_interval after the last one").contains("Cpu firing: Cpu/n1, Cpu/n2, Cpu/n3");
  }

  @Test
  void resolutionsAreNotifiedAtTheNextIntervalThenTheGroupEnds() {
    current.add(firing("Cpu", "n1", T0));
    current.add(firing("Cpu", "n2", T0));
    assertThat(at(30)).containsExactly("Cpu firing: Cpu/n1, Cpu/n2");
    current.set(1, current.get(1).resolvedAt(T0 + 50_000));
    assertThat(at(50)).isEmpty();
    assertThat(at(90)).containsExactly("Cpu firing: Cpu/n1, Cpu/n2 resolved");
    assertThat(at(150)).as("the resolved alert left the group").isEmpty();
    current.remove(0);
    assertThat(at(160)).as("an alert the evaluator no longer reports is resolved").isEmpty();
    assertThat(at(210)).containsExactly("Cpu resolved: Cpu/n1 resolved");
    assertThat(notifier.nextFlushMs()).as("the group is gone").isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void anAlertThatFiredAndResolvedBetweenLooksIsNeverNotified() {
    current.add(firing("Cpu", "n1", T0));
    at(0);
    current.set(0, current.get(0).resolvedAt(T0 + 10_000));
    assertThat(at(10)).isEmpty();
    assertThat(at(30)).isEmpty();
    current.add(firing("Mem", "n1", T0 + 40_000).resolvedAt(T0 + 41_000));
    assertThat(at(41)).isEmpty();
    assertThat(at(100)).isEmpty();
    assertThat(notifier.nextFlushMs()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aSilenceMutesUntilItExpires() {
    notifier.silences().add(new Silence("s1", Matchers.parse("{node=\"n1\"}"), T0, T0 + 3_600_000, "ops",
        "maintenance of n1"));
    current.add(firing("Cpu", "n1", T0));
    assertThat(at(30)).as("all muted: nothing sent").isEmpty();
    current.add(firing("Cpu", "n2", T0 + 40_000));
    assertThat(at(90)).containsExactly("Cpu firing: Cpu/n2");
    assertThat(at(150)).isEmpty();
    notifier.silences().expire("s1", T0 + 160_000);
    assertThat(at(210)).containsExactly("Cpu firing: Cpu/n1, Cpu/n2");
    assertThat(notifier.silences().list().get(0).endsAtMs()).isEqualTo(T0 + 160_000);
  }

  @Test
  void silencesAreChecked() {
    assertThatThrownBy(() -> new Silence("s", Matchers.parse("{node=~\".*\"}"), T0, T0 + 1, "ops", "why"))
        .hasMessageContaining("at least one matcher that an alert without labels fails");
    assertThatThrownBy(() -> new Silence("s", Matchers.parse("{node=\"n1\"}"), T0, T0, "ops", "why"))
        .hasMessageContaining("ends_at must be after starts_at");
    assertThatThrownBy(() -> new Silence("s", Matchers.parse("{node=\"n1\"}"), T0, T0 + 1, "", "why"))
        .hasMessageContaining("created_by is required");
    assertThatThrownBy(() -> notifier.silences().expire("nope", T0)).hasMessage("no silence nope");
    Silence pending = new Silence("later", Matchers.parse("{node=\"n1\"}"), T0 + 100, T0 + 200, "ops", "why");
    notifier.silences().add(pending);
    assertThat(notifier.silences().expire("later", T0).activeAt(T0 + 150)).as("expired before it began").isFalse();
    assertThat(notifier.silences().silencing(firing("Cpu", "n1", T0).labels(), T0 + 150)).isEmpty();
  }

  @Test
  void aSilentNodeInhibitsItsOtherAlertsOnly() {
    Notifier n = new Notifier(POLICY, List.of(new InhibitRule(Matchers.parse("{alertname=\"NodeSilent\"}"),
        Matchers.parse("{alertname=~\"Cpu|Mem\"}"), List.of("node"))), new Silences());
    current.add(firing("NodeSilent", "n1", T0));
    current.add(firing("Cpu", "n1", T0));
    current.add(firing("Cpu", "n2", T0));
    assertThat(describe(n.step(T0 + 30_000, current))).containsExactly("Cpu firing: Cpu/n2",
        "NodeSilent firing: NodeSilent/n1");
    current.set(0, current.get(0).resolvedAt(T0 + 60_000));
    assertThat(describe(n.step(T0 + 90_000, current))).containsExactly("Cpu firing: Cpu/n1, Cpu/n2",
        "NodeSilent resolved: NodeSilent/n1 resolved");
  }

  @Test
  void aRestoredNotifierNotifiesNothingTwice() {
    current.add(firing("Cpu", "n1", T0));
    assertThat(at(30)).hasSize(1);
    current.add(firing("Cpu", "n2", T0 + 40_000));
    notifier.silences().add(new Silence("s1", Matchers.parse("{node=\"n3\"}"), T0, T0 + 3_600_000, "ops", "why"));

    Notifier standby = Notifier.restore(POLICY, List.of(), notifier.snapshot());
    assertThat(standby.snapshot()).isEqualTo(notifier.snapshot());
    assertThat(standby.step(T0 + 41_000, current)).as("n1 was notified before the failover").isEmpty();
    current.add(firing("Cpu", "n3", T0 + 50_000));
    assertThat(describe(standby.step(T0 + 90_000, current))).containsExactly("Cpu firing: Cpu/n1, Cpu/n2");
    assertThat(standby.step(T0 + 150_000, current)).isEmpty();
  }
}
