package io.feitian.shennong.monitor.notify;

import java.util.List;

/**
 * How alerts are grouped into notifications, with Alertmanager's meaning and defaults:
 *
 * @param groupBy alerts with the same values of these labels go into one notification
 * @param groupWaitMs a new group's first notification waits this long for more alerts (30s)
 * @param groupIntervalMs a group is looked at again this often; a change is notified then (5m)
 * @param repeatIntervalMs an unchanged group with firing alerts is notified again this often (4h)
 */
public record NotifyPolicy(List<String> groupBy, long groupWaitMs, long groupIntervalMs, long repeatIntervalMs) {
  public NotifyPolicy {
    groupBy = List.copyOf(groupBy);
    if (groupWaitMs < 0 || groupIntervalMs <= 0 || repeatIntervalMs <= 0) {
      throw new IllegalArgumentException("group_wait must be at least 0 and group_interval and repeat_interval above 0, got "
          + groupWaitMs + ", " + groupIntervalMs + ", " + repeatIntervalMs + " ms");
    }
  }

  /** Alertmanager's defaults, grouped by alertname. */
  public static NotifyPolicy defaults() {
    return new NotifyPolicy(List.of("alertname"), 30_000, 5 * 60_000, 4 * 3_600_000);
  }
}
