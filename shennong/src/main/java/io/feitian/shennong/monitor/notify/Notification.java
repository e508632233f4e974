package io.feitian.shennong.monitor.notify;

import io.feitian.shennong.monitor.alerts.Alert;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One notification to send: a group's alerts (firing and resolved, none muted), decided at
 * {@code atMs}. Status is firing while any alert in it fires, else resolved.
 */
public record Notification(String groupKey, SortedMap<String, String> groupLabels, List<Alert> alerts, long atMs) {
  public Notification {
    groupLabels = Collections.unmodifiableSortedMap(new TreeMap<>(groupLabels));
    alerts = List.copyOf(alerts);
  }

  public boolean firing() {
    return alerts.stream().anyMatch(Alert::isFiring);
  }

  public String status() {
    return firing() ? "firing" : "resolved";
  }
}
