package io.feitian.shennong.monitor.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.shennong.monitor.alerts.Alert;
import io.feitian.shennong.monitor.alerts.AlertState;
import io.feitian.shennong.monitor.alerts.EvaluatorSnapshot;
import io.feitian.shennong.monitor.json.MonitorSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Random alerts firing and resolving, random silences, an inhibition rule, and now and then a
 * failover (the notifier's snapshot through JSON into a new notifier), checked at every step
 * against what Alertmanager promises:
 *
 * <ol>
 *   <li>no notification carries an alert that is silenced or inhibited when it is sent (muting
 *       computed here by brute force, not by the notifier);
 *   <li>a group is not notified again within repeat_interval unless something changed: a firing
 *       alert the previous notification did not have as firing, a resolved one it did not have
 *       as resolved, or everything resolved;
 *   <li>an alert that fires and stays firing and unmuted is notified as firing within
 *       max(group_wait, group_interval) plus one step of its firing.
 * </ol>
 *
 * The seed is printed and in every failure message; -Dseed=N replays a run.
 */
class NotifierPropertyTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final long STEP = 5_000;
  private static final NotifyPolicy POLICY = new NotifyPolicy(List.of("alertname"), 10_000, 30_000, 120_000);
  private static final String[] NAMES = {"Cpu", "Mem", "NodeDown"};
  private static final String[] NODES = {"n1", "n2", "n3"};
  private static final List<InhibitRule> INHIBIT = List.of(new InhibitRule(Matchers.parse("{alertname=\"NodeDown\"}"),
      Matchers.parse("{alertname=~\"Cpu|Mem\"}"), List.of("node")));

  /** A silence as the test knows it: one label's value, from, to. */
  record Mute(String id, String label, String value, long from, long to) {}

  /** What the last notification of a group said. */
  record Said(long atMs, Set<String> firing, Set<String> resolved) {}

  @Test
  void notificationsKeepAlertmanagersPromises() {
    long seed = Long.getLong("seed", System.nanoTime());
    System.out.println("NotifierPropertyTest seed " + seed);
    for (int run = 0; run < 20; run++) {
      runOnce(seed + run);
    }
  }

  private void runOnce(long seed) {
    Random random = new Random(seed);
    String why = "seed " + seed;
    Notifier notifier = new Notifier(POLICY, INHIBIT, new Silences());
    Map<String, Alert> alerts = new LinkedHashMap<>();
    List<Mute> mutes = new ArrayList<>();
    Map<String, Said> said = new HashMap<>();
    // Per firing episode (fingerprint): when it fired, and whether it has been muted or notified since.
    Map<String, Long> firedAt = new HashMap<>();
    Map<String, Boolean> mutedSince = new HashMap<>();
    Map<String, Boolean> notified = new HashMap<>();
    int silences = 0;
    long bound = Math.max(POLICY.groupWaitMs(), POLICY.groupIntervalMs()) + STEP;

    for (int i = 0; i < 600; i++) {
      long now = T0 + i * STEP;
      for (String name : NAMES) {
        for (String node : NODES) {
          String key = name + "/" + node;
          Alert a = alerts.get(key);
          if ((a == null || a.state() == AlertState.RESOLVED) && random.nextInt(40) == 0) {
            alerts.put(key, Alerts.firing(name, node, now));
          } else if (a != null && a.isFiring() && random.nextInt(25) == 0) {
            alerts.put(key, a.resolvedAt(now));
          } else if (a != null && a.state() == AlertState.RESOLVED && random.nextInt(10) == 0) {
            alerts.remove(key);
          }
        }
      }
      if (random.nextInt(30) == 0) {
        boolean byNode = random.nextBoolean();
        String value = byNode ? NODES[random.nextInt(NODES.length)] : NAMES[random.nextInt(NAMES.length)];
        Mute m = new Mute("s" + silences++, byNode ? "node" : "alertname", value, now, now + 10_000 + random.nextInt(
            200_000));
        mutes.add(m);
        notifier.silences().add(new Silence(m.id(), Matchers.parse("{" + m.label() + "=\"" + value + "\"}"), m.from(),
            m.to(), "test", "random"));
      }
      if (!mutes.isEmpty() && random.nextInt(60) == 0) {
        Mute m = mutes.get(random.nextInt(mutes.size()));
        if (m.to() > now) {
          mutes.set(mutes.indexOf(m), new Mute(m.id(), m.label(), m.value(), Math.min(m.from(), now - 1), now));
          notifier.silences().expire(m.id(), now);
        }
      }
      if (random.nextInt(50) == 0) {
        String json = new MonitorSnapshot(now, new EvaluatorSnapshot(List.of(), List.of(), List.of(), List.of()),
            notifier.snapshot()).toJson();
        notifier = Notifier.restore(POLICY, INHIBIT, MonitorSnapshot.fromJson(json).notifier());
      }

      List<Alert> current = List.copyOf(alerts.values());
      List<Alert> firing = current.stream().filter(Alert::isFiring).toList();
      for (Alert a : firing) {
        String fp = a.fingerprint();
        if (!firedAt.containsKey(fp) || firedAt.get(fp) != a.firedAtMs()) {
          firedAt.put(fp, a.firedAtMs());
          mutedSince.put(fp, false);
          // Fired again between two looks: the receiver still has it as firing, as Alertmanager's would.
          Said last = said.get(notifier.groupKey(a.labels()));
          notified.put(fp, last != null && last.firing().contains(fp));
        }
        if (muted(a, now, mutes, firing)) {
          mutedSince.put(fp, true);
        }
      }

      for (Notification n : notifier.step(now, current)) {
        for (Alert a : n.alerts()) {
          assertThat(muted(a, now, mutes, firing)).as("%s: %s sent at %s while muted", why, a, now).isFalse();
          if (a.isFiring()) {
            notified.put(a.fingerprint(), true);
          }
        }
        Set<String> f = n.alerts().stream().filter(Alert::isFiring).map(Alert::fingerprint).collect(Collectors.toSet());
        Set<String> r = n.alerts().stream().filter(a -> !a.isFiring()).map(Alert::fingerprint)
            .collect(Collectors.toSet());
        Said last = said.get(n.groupKey());
        if (last != null && now - last.atMs() < POLICY.repeatIntervalMs()) {
          boolean changed = !last.firing().containsAll(f) || !last.resolved().containsAll(r) || f.isEmpty();
          assertThat(changed).as("%s: %s notified again at %s, %s ms after the same", why, n.groupKey(), now,
              now - last.atMs()).isTrue();
        }
        said.put(n.groupKey(), new Said(now, f, r));
      }

      for (Alert a : firing) {
        String fp = a.fingerprint();
        if (now - a.firedAtMs() >= bound && !mutedSince.get(fp)) {
          assertThat(notified.get(fp)).as("%s: %s fired at %s, unmuted, not notified by %s", why, a, a.firedAtMs(), now)
              .isTrue();
        }
      }
    }
  }

  /** Silenced or inhibited, computed from the test's own books. */
  private static boolean muted(Alert a, long now, List<Mute> mutes, List<Alert> firing) {
    for (Mute m : mutes) {
      if (m.from() <= now && now < m.to() && m.value().equals(a.labels().get(m.label()))) {
        return true;
      }
    }
    String name = a.labels().get("alertname");
    if (name.equals("NodeDown")) {
      return false;
    }
    return firing.stream().anyMatch(s -> s.labels().get("alertname").equals("NodeDown")
        && s.labels().get("node").equals(a.labels().get("node")));
  }
}
