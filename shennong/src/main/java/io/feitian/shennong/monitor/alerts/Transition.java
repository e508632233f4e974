package io.feitian.shennong.monitor.alerts;

/**
 * An alert changed state at {@code atMs}: what the monitor-service records durably (the alert
 * history). {@code alert} is the alert after the change; an alert that went back to INACTIVE
 * (pending, then not held) is given as it was last, with {@code to} INACTIVE.
 */
public record Transition(Alert alert, AlertState from, AlertState to, long atMs) {
  @Override
  public String toString() {
    return alert.rule() + alert.labels() + " " + from + " -> " + to + " at " + atMs;
  }
}
