package io.feitian.shennong.monitor.notify;

import io.feitian.shennong.monitor.alerts.Alert;
import io.feitian.shennong.monitor.alerts.AlertState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Decides which notifications to send, with Alertmanager's semantics, from the evaluator's alerts
 * and the time: no I/O, no clock. The shell calls {@link #step} after each evaluation (or at
 * {@link #nextFlushMs}) and sends what it returns.
 *
 * <ul>
 *   <li><b>Groups.</b> Firing alerts are grouped by the policy's {@code groupBy} labels. A new
 *       group is first looked at {@code group_wait} after its first alert fired (at once if that
 *       was longer ago, as after a restart), then every {@code group_interval}.
 *   <li><b>At each look</b> the group's alerts that are silenced or inhibited are left out, and a
 *       notification of the rest is sent if the group was never notified and has a firing alert,
 *       or holds a firing alert the last notification did not say was firing, or all its alerts
 *       resolved since one was notified firing, or holds a resolved alert the last notification
 *       did not carry, or {@code repeat_interval} has passed since the last one and something still
 *       fires. Resolved alerts leave the group after the look; an empty group is dropped.
 *   <li><b>Resolution.</b> An alert the evaluator resolves, or stops reporting (its rule was
 *       removed), is resolved in its group. A resolved alert the group never held (it fired and
 *       resolved between two steps) is not notified: the receiver never heard of it.
 *   <li><b>Muting</b> is decided at each look: silences active then, and inhibition by any firing
 *       alert (muted or not), as in Alertmanager.
 * </ul>
 *
 * <p>The notification log ({@code sent}) outlives its group by {@code repeat_interval}, so a
 * group that empties and comes back is compared with what was last sent. A notification is taken
 * as delivered when it is returned; retrying delivery is the shell's business.
 */
public final class Notifier {
  private final NotifyPolicy policy;
  private List<InhibitRule> inhibitions;
  private final Silences silences;
  private final Map<String, Group> groups = new TreeMap<>();
  private final Map<String, Sent> sent = new HashMap<>();

  private static final class Group {
    final String key;
    final SortedMap<String, String> labels;
    /** By fingerprint. */
    final Map<String, Alert> alerts = new LinkedHashMap<>();
    long nextFlushMs;

    Group(String key, SortedMap<String, String> labels, long nextFlushMs) {
      this.key = key;
      this.labels = labels;
      this.nextFlushMs = nextFlushMs;
    }
  }

  private record Sent(long atMs, Set<String> firing, Set<String> resolved) {}

  public Notifier(NotifyPolicy policy, List<InhibitRule> inhibitions, Silences silences) {
    this.policy = policy;
    this.inhibitions = List.copyOf(inhibitions);
    this.silences = silences;
  }

  /** A notifier that goes on from {@code snapshot} (after a failover), with the current policy and inhibitions. */
  public static Notifier restore(NotifyPolicy policy, List<InhibitRule> inhibitions, NotifierSnapshot snapshot) {
    Silences silences = new Silences();
    for (NotifierSnapshot.SilenceRecord s : snapshot.silences()) {
      silences.add(new Silence(s.id(), Matchers.parse(s.matchers()), s.startsAtMs(), s.endsAtMs(), s.createdBy(),
          s.comment()));
    }
    Notifier n = new Notifier(policy, inhibitions, silences);
    for (NotifierSnapshot.GroupRecord g : snapshot.groups()) {
      Group group = new Group(g.key(), g.groupLabels(), g.nextFlushMs());
      g.alerts().forEach(a -> group.alerts.put(a.fingerprint(), a));
      n.groups.put(g.key(), group);
    }
    for (NotifierSnapshot.SentRecord s : snapshot.sent()) {
      n.sent.put(s.key(), new Sent(s.atMs(), Set.copyOf(s.firing()), Set.copyOf(s.resolved())));
    }
    return n;
  }

  public Silences silences() {
    return silences;
  }

  /** New inhibition rules (a reload); they apply from the next look. */
  public void setInhibitions(List<InhibitRule> inhibitions) {
    this.inhibitions = List.copyOf(inhibitions);
  }

  /** The group key of an alert, in Alertmanager's form: {@code {}:{alertname="NodeCpuHigh", node="n1"}}. */
  public String groupKey(Map<String, String> labels) {
    return "{}:" + groupLabels(labels).entrySet().stream()
        .map(e -> e.getKey() + "=\"" + e.getValue().replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
        .collect(Collectors.joining(", ", "{", "}"));
  }

  private SortedMap<String, String> groupLabels(Map<String, String> labels) {
    SortedMap<String, String> out = new TreeMap<>();
    for (String label : policy.groupBy()) {
      String value = labels.get(label);
      if (value != null && !value.isEmpty()) {
        out.put(label, value);
      }
    }
    return out;
  }

  /**
   * Takes the evaluator's current alerts (pending ones are ignored) and returns the notifications
   * due at {@code nowMs}, in group key order.
   */
  public List<Notification> step(long nowMs, Collection<Alert> current) {
    ingest(nowMs, current);
    List<Alert> firing = current.stream().filter(Alert::isFiring).toList();
    List<Notification> out = new ArrayList<>();
    for (Group group : List.copyOf(groups.values())) {
      if (group.nextFlushMs <= nowMs) {
        flush(group, nowMs, firing, out);
      }
    }
    sent.entrySet().removeIf(e -> !groups.containsKey(e.getKey())
        && nowMs - e.getValue().atMs() >= policy.repeatIntervalMs());
    return out;
  }

  private void ingest(long nowMs, Collection<Alert> current) {
    Set<String> reported = new LinkedHashSet<>();
    for (Alert alert : current) {
      if (alert.state() != AlertState.FIRING && alert.state() != AlertState.RESOLVED) {
        continue;
      }
      String fingerprint = alert.fingerprint();
      reported.add(fingerprint);
      String key = groupKey(alert.labels());
      Group group = groups.get(key);
      if (alert.state() == AlertState.RESOLVED) {
        if (group != null && group.alerts.containsKey(fingerprint)) {
          group.alerts.put(fingerprint, alert);
        }
        continue;
      }
      if (group == null) {
        // group_wait counts from the firing, so an alert that fired longer ago (a restart) does not wait again.
        group = new Group(key, groupLabels(alert.labels()), Math.max(nowMs, alert.firedAtMs() + policy.groupWaitMs()));
        groups.put(key, group);
      }
      group.alerts.put(fingerprint, alert);
    }
    for (Group group : groups.values()) {
      group.alerts.replaceAll((fp, a) -> a.isFiring() && !reported.contains(fp) ? a.resolvedAt(nowMs) : a);
    }
  }

  private void flush(Group group, long nowMs, List<Alert> firingEverywhere, List<Notification> out) {
    List<Alert> shown = group.alerts.values().stream().filter(a -> !muted(a, nowMs, firingEverywhere)).toList();
    Set<String> firing = fingerprints(shown, true);
    Set<String> resolved = fingerprints(shown, false);
    if (!shown.isEmpty() && needsUpdate(sent.get(group.key), firing, resolved, nowMs)) {
      out.add(new Notification(group.key, group.labels, shown, nowMs));
      sent.put(group.key, new Sent(nowMs, firing, resolved));
    }
    group.alerts.values().removeIf(a -> a.state() == AlertState.RESOLVED);
    if (group.alerts.isEmpty()) {
      groups.remove(group.key);
    } else {
      group.nextFlushMs = nowMs + policy.groupIntervalMs();
    }
  }

  private static Set<String> fingerprints(List<Alert> alerts, boolean firing) {
    Set<String> out = new LinkedHashSet<>();
    for (Alert a : alerts) {
      if (a.isFiring() == firing) {
        out.add(a.fingerprint());
      }
    }
    return out;
  }

  /** Alertmanager's dedup decision (notify.DedupStage.needsUpdate), with resolved alerts sent. */
  private boolean needsUpdate(Sent last, Set<String> firing, Set<String> resolved, long nowMs) {
    if (last == null) {
      return !firing.isEmpty();
    }
    if (!last.firing().containsAll(firing)) {
      return true;
    }
    if (firing.isEmpty()) {
      // Everything resolved: tell the receiver, unless it was never told something fired.
      return !last.firing().isEmpty();
    }
    if (!last.resolved().containsAll(resolved)) {
      return true;
    }
    return nowMs - last.atMs() >= policy.repeatIntervalMs();
  }

  /** Whether the alert is silenced or inhibited at {@code nowMs}, given the alerts firing then. */
  public boolean muted(Alert alert, long nowMs, List<Alert> firing) {
    return silences.silenced(alert.labels(), nowMs) || inhibited(alert, firing);
  }

  private boolean inhibited(Alert target, List<Alert> firing) {
    for (InhibitRule rule : inhibitions) {
      if (!rule.isTarget(target.labels())) {
        continue;
      }
      for (Alert source : firing) {
        if (rule.isSource(source.labels()) && rule.sameEqualLabels(source.labels(), target.labels())
            && !source.labels().equals(target.labels())) {
          return true;
        }
      }
    }
    return false;
  }

  /** When the next look is due (Long.MAX_VALUE with no group): the shell need not call before. */
  public long nextFlushMs() {
    return groups.values().stream().mapToLong(g -> g.nextFlushMs).min().orElse(Long.MAX_VALUE);
  }

  public NotifierSnapshot snapshot() {
    List<NotifierSnapshot.GroupRecord> g = new ArrayList<>();
    groups.values().forEach(group -> g.add(new NotifierSnapshot.GroupRecord(group.key, group.labels,
        List.copyOf(group.alerts.values()), group.nextFlushMs)));
    List<NotifierSnapshot.SentRecord> s = new ArrayList<>();
    new TreeMap<>(sent).forEach((key, e) -> s.add(new NotifierSnapshot.SentRecord(key, e.atMs(), e.firing(),
        e.resolved())));
    List<NotifierSnapshot.SilenceRecord> sil = new ArrayList<>();
    for (Silence x : silences.list()) {
      sil.add(new NotifierSnapshot.SilenceRecord(x.id(), Matchers.format(x.matchers()), x.startsAtMs(), x.endsAtMs(),
          x.createdBy(), x.comment()));
    }
    return new NotifierSnapshot(g, s, sil);
  }
}
