package io.feitian.shennong.monitor.alerts;

/**
 * Where an alert is in its life: INACTIVE (its condition does not hold; the evaluator keeps no
 * alert in this state), PENDING (holds, for less than the rule's {@code for}), FIRING, RESOLVED
 * (fired, then stopped holding for longer than {@code keep_firing_for}; kept a while so that the
 * resolution is notified and listed).
 */
public enum AlertState {
  INACTIVE, PENDING, FIRING, RESOLVED
}
