package io.feitian.shennong.monitor.alerts;

import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.GroupResult;
import io.feitian.proto.shennong.v1.Label;
import io.feitian.proto.shennong.v1.SubscriptionUpdate;
import io.feitian.shennong.monitor.rules.Condition;
import io.feitian.shennong.monitor.rules.Rule;
import io.feitian.shennong.monitor.rules.RuleSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Evaluates a {@link RuleSet}: the shell feeds it what each rule's subscription delivers
 * ({@link #observeUpdate}, {@link #observeEvent}) and calls {@link #evaluate} with its clock; the
 * evaluator answers with the alerts' transitions, which the shell records, and holds the current
 * alerts ({@link #alerts}) for the notifier. No I/O, no clock, no threads: one caller at a time.
 *
 * <p>Per alert (one rule, one group of its {@code by} labels): INACTIVE → PENDING when the
 * condition holds at an evaluation; PENDING → FIRING at the first evaluation at least {@code for}
 * after it became pending (at once when {@code for} is 0: INACTIVE → FIRING); PENDING → INACTIVE
 * when it stops holding; FIRING → RESOLVED at the first evaluation at least
 * {@code keep_firing_for} after the first evaluation at which it stopped holding; RESOLVED →
 * PENDING (or FIRING) when it holds again, a new episode. Resolved alerts are kept for
 * {@link #RESOLVED_KEPT_MS}, then forgotten without a transition.
 *
 * <p>Threshold and absence rules say nothing until their subscription's first window after the
 * evaluator started (or was restored): a standby taking over neither resolves a firing alert nor
 * sees everything absent before its subscriptions speak.
 */
public final class AlertEvaluator {
  /** How long a resolved alert is kept (listed, and handed to the notifier): as Prometheus, 15 minutes. */
  public static final long RESOLVED_KEPT_MS = 15 * 60_000;

  private final RuleSet rules;
  private final Map<String, Runtime> runtimes = new LinkedHashMap<>();

  /** One rule's input and alerts. */
  private static final class Runtime {
    final Rule rule;
    final RuleInput input;
    final Map<SortedMap<String, String>, Tracked> alerts = new HashMap<>();
    long lastEvaluatedMs;

    Runtime(Rule rule, long startMs) {
      this.rule = rule;
      Condition c = rule.condition();
      if (c instanceof Condition.Threshold t) {
        input = new ThresholdInput(t.comparison());
      } else if (c instanceof Condition.Absence a) {
        input = new AbsenceInput(a.afterMs(), !a.groupBy().isEmpty(), startMs);
      } else {
        input = new EventInput((Condition.EventBurst) c);
      }
    }
  }

  /** A new evaluator; {@code startMs} is when rules without {@code by} began to expect data. */
  public AlertEvaluator(RuleSet rules, long startMs) {
    this.rules = rules;
    for (Rule rule : rules.rules()) {
      runtimes.put(rule.name(), new Runtime(rule, startMs));
    }
  }

  /**
   * An evaluator that goes on from {@code snapshot} with {@code rules}: the same rules after a
   * failover, or new ones after a reload. State of rules that no longer exist, or whose kind
   * changed, is dropped (the notifier resolves their alerts).
   */
  public static AlertEvaluator restore(RuleSet rules, EvaluatorSnapshot snapshot, long nowMs) {
    AlertEvaluator e = new AlertEvaluator(rules, nowMs);
    for (EvaluatorSnapshot.AlertRecord r : snapshot.alerts()) {
      Runtime rt = e.runtimes.get(r.rule());
      if (rt != null && r.state() != AlertState.INACTIVE) {
        rt.alerts.put(r.group(), Tracked.of(r));
      }
    }
    for (EvaluatorSnapshot.SeenRecord s : snapshot.lastSeen()) {
      if (e.input(s.rule()) instanceof AbsenceInput a) {
        a.restoreSeen(s.group(), s.lastSeenMs());
      }
    }
    for (EvaluatorSnapshot.EventRecord r : snapshot.events()) {
      if (e.input(r.rule()) instanceof EventInput in) {
        r.timestampsMs().forEach(t -> in.observe(r.group(), t));
      }
    }
    for (EvaluatorSnapshot.NewestEvent n : snapshot.newestEvents()) {
      if (e.input(n.rule()) instanceof EventInput in) {
        in.restoreNewest(n.timestampMs());
      }
    }
    return e;
  }

  public RuleSet rules() {
    return rules;
  }

  private RuleInput input(String rule) {
    Runtime rt = runtimes.get(rule);
    return rt == null ? null : rt.input;
  }

  private Runtime runtime(String rule) {
    Runtime rt = runtimes.get(rule);
    if (rt == null) {
      throw new IllegalArgumentException("no rule named " + rule);
    }
    return rt;
  }

  /**
   * One window of a threshold or absence rule's subscription, ending at {@code windowEndMs}: every
   * group that had data in it. For a threshold rule it replaces the previous window; a group
   * missing from it has no value.
   */
  public void observeWindow(String rule, long windowEndMs, List<Reading> readings) {
    RuleInput in = runtime(rule).input;
    if (in instanceof ThresholdInput t) {
      t.observe(windowEndMs, readings);
    } else if (in instanceof AbsenceInput a) {
      a.observe(windowEndMs, readings);
    } else {
      throw new IllegalArgumentException("rule " + rule + " watches events, not windows");
    }
  }

  /** A subscription update of the rule's subscription, as the master streams it. */
  public void observeUpdate(String rule, SubscriptionUpdate update) {
    Rule r = runtime(rule).rule;
    long windowMs = r.subscription().getWindowMs();
    List<Reading> readings = new ArrayList<>(update.getGroupsCount());
    for (GroupResult g : update.getGroupsList()) {
      SortedMap<String, String> group = new TreeMap<>();
      for (Label l : g.getGroupList()) {
        group.put(l.getName(), l.getValue());
      }
      double value = g.getQuantilesCount() > 0 ? g.getQuantiles(0) : g.getValue();
      readings.add(new Reading(group, value));
    }
    observeWindow(rule, update.getWindowStartMs() + windowMs, readings);
  }

  /** An event of an event rule's subscription. */
  public void observeEvent(String rule, Map<String, String> labels, long timestampMs) {
    if (!(runtime(rule).input instanceof EventInput in)) {
      throw new IllegalArgumentException("rule " + rule + " watches windows, not events");
    }
    in.observe(labels, timestampMs);
  }

  public void observeEvent(String rule, Event event) {
    observeEvent(rule, event.getLabelsMap(), event.getTimestampMs());
  }

  /**
   * Where the rule's events subscription should resume after a restart or failover: the newest
   * stamp received (its {@code events_since_ms}), 0 if none.
   */
  public long eventsSinceMs(String rule) {
    return runtime(rule).input instanceof EventInput in ? in.newestMs() : 0;
  }

  /** Evaluates every rule at {@code nowMs}; returns the transitions, rule by rule in load order. */
  public List<Transition> evaluate(long nowMs) {
    List<Transition> out = new ArrayList<>();
    for (Runtime rt : runtimes.values()) {
      SortedMap<SortedMap<String, String>, Double> holding = rt.input.holding(nowMs);
      if (holding != null) {
        step(rt, holding, nowMs, out);
        rt.lastEvaluatedMs = nowMs;
      }
      rt.alerts.values().removeIf(t -> t.state == AlertState.RESOLVED && nowMs - t.resolvedAtMs >= RESOLVED_KEPT_MS);
    }
    return out;
  }

  private static void step(Runtime rt, SortedMap<SortedMap<String, String>, Double> holding, long nowMs,
      List<Transition> out) {
    String name = rt.rule.name();
    holding.forEach((group, value) -> {
      Tracked t = rt.alerts.computeIfAbsent(group, Tracked::new);
      AlertState before = t.held(rt.rule, value, nowMs);
      if (before != t.state) {
        out.add(new Transition(t.view(name), before, t.state, nowMs));
      }
    });
    List<Tracked> others = rt.alerts.values().stream().filter(t -> !holding.containsKey(t.group))
        .sorted((a, b) -> Groups.ORDER.compare(a.group, b.group)).toList();
    for (Tracked t : others) {
      AlertState before = t.notHeld(rt.rule, nowMs);
      if (before != t.state) {
        out.add(new Transition(t.view(name), before, t.state, nowMs));
      }
      if (t.state == AlertState.INACTIVE) {
        rt.alerts.remove(t.group);
      }
    }
  }

  /** Every pending, firing and resolved alert, rule by rule in load order. */
  public List<Alert> alerts() {
    List<Alert> out = new ArrayList<>();
    for (Runtime rt : runtimes.values()) {
      sorted(rt.alerts).values().forEach(t -> out.add(t.view(rt.rule.name())));
    }
    return out;
  }

  /** What the shell shows per rule ({@code feitian alerts rules}). */
  public record RuleStatus(String rule, long lastEvaluatedMs, int pending, int firing, int resolved) {}

  public List<RuleStatus> ruleStatus() {
    List<RuleStatus> out = new ArrayList<>();
    for (Runtime rt : runtimes.values()) {
      int[] n = new int[AlertState.values().length];
      rt.alerts.values().forEach(t -> n[t.state.ordinal()]++);
      out.add(new RuleStatus(rt.rule.name(), rt.lastEvaluatedMs, n[AlertState.PENDING.ordinal()],
          n[AlertState.FIRING.ordinal()], n[AlertState.RESOLVED.ordinal()]));
    }
    return out;
  }

  public EvaluatorSnapshot snapshot() {
    List<EvaluatorSnapshot.AlertRecord> alerts = new ArrayList<>();
    List<EvaluatorSnapshot.SeenRecord> seen = new ArrayList<>();
    List<EvaluatorSnapshot.EventRecord> events = new ArrayList<>();
    List<EvaluatorSnapshot.NewestEvent> newest = new ArrayList<>();
    for (Runtime rt : runtimes.values()) {
      String name = rt.rule.name();
      sorted(rt.alerts).forEach((g, t) -> alerts.add(t.record(name)));
      if (rt.input instanceof AbsenceInput a) {
        sorted(a.lastSeenMs()).forEach((g, at) -> seen.add(new EvaluatorSnapshot.SeenRecord(name, g, at)));
      } else if (rt.input instanceof EventInput in) {
        sorted(in.stampsByGroup()).forEach((g, times) -> events.add(new EvaluatorSnapshot.EventRecord(name, g, times)));
        newest.add(new EvaluatorSnapshot.NewestEvent(name, in.newestMs()));
      }
    }
    return new EvaluatorSnapshot(alerts, seen, events, newest);
  }

  /** A group-keyed map in {@link Groups#ORDER}: snapshots of the same state are equal. */
  private static <V> SortedMap<SortedMap<String, String>, V> sorted(Map<SortedMap<String, String>, V> byGroup) {
    SortedMap<SortedMap<String, String>, V> out = new TreeMap<>(Groups.ORDER);
    out.putAll(byGroup);
    return out;
  }
}
