package io.feitian.shennong.monitor.alerts;

import io.feitian.shennong.monitor.rules.Rule;
import java.util.SortedMap;

/** The mutable state of one alert (one rule, one group) inside the evaluator. */
final class Tracked {
  final SortedMap<String, String> group;
  SortedMap<String, String> labels;
  SortedMap<String, String> annotations;
  AlertState state = AlertState.INACTIVE;
  long activeAtMs;
  long firedAtMs;
  long keepFiringSinceMs;
  long resolvedAtMs;
  double value;

  Tracked(SortedMap<String, String> group) {
    this.group = group;
  }

  static Tracked of(EvaluatorSnapshot.AlertRecord r) {
    Tracked t = new Tracked(r.group());
    t.labels = r.labels();
    t.annotations = r.annotations();
    t.state = r.state();
    t.activeAtMs = r.activeAtMs();
    t.firedAtMs = r.firedAtMs();
    t.keepFiringSinceMs = r.keepFiringSinceMs();
    t.resolvedAtMs = r.resolvedAtMs();
    t.value = r.value();
    return t;
  }

  /**
   * One evaluation at which the condition holds with {@code value}: a new episode becomes
   * pending (or firing at once when the rule has no {@code for}); a pending alert fires once it has
   * held for {@code for}. Returns the state before.
   */
  AlertState held(Rule rule, double value, long nowMs) {
    AlertState before = state;
    this.value = value;
    keepFiringSinceMs = 0;
    if (state == AlertState.INACTIVE || state == AlertState.RESOLVED) {
      state = AlertState.PENDING;
      activeAtMs = nowMs;
      firedAtMs = 0;
      resolvedAtMs = 0;
      labels = rule.alertLabels(group, value);
    }
    if (state == AlertState.PENDING && nowMs - activeAtMs >= rule.forMs()) {
      state = AlertState.FIRING;
      firedAtMs = nowMs;
    }
    annotations = rule.alertAnnotations(labels, value);
    return before;
  }

  /**
   * One evaluation at which the condition does not hold: a pending alert goes back to inactive; a
   * firing one keeps firing for {@code keep_firing_for} after the first such evaluation, then
   * resolves. Returns the state before.
   */
  AlertState notHeld(Rule rule, long nowMs) {
    AlertState before = state;
    if (state == AlertState.PENDING) {
      state = AlertState.INACTIVE;
    } else if (state == AlertState.FIRING) {
      if (keepFiringSinceMs == 0) {
        keepFiringSinceMs = nowMs;
      }
      if (nowMs - keepFiringSinceMs >= rule.keepFiringForMs()) {
        state = AlertState.RESOLVED;
        resolvedAtMs = nowMs;
      }
    }
    return before;
  }

  Alert view(String rule) {
    return new Alert(rule, labels, annotations, state, activeAtMs, firedAtMs, resolvedAtMs, value);
  }

  EvaluatorSnapshot.AlertRecord record(String rule) {
    return new EvaluatorSnapshot.AlertRecord(rule, group, labels, annotations, state, activeAtMs, firedAtMs,
        keepFiringSinceMs, resolvedAtMs, value);
  }
}
