package io.feitian.fuxi.master.membership;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Machines applications report as bad, and when a machine is bad for the
 * cluster: when {@code threshold} different applications reported it within
 * {@code windowMillis}. One application reporting many times counts once, so
 * one broken job cannot take machines out of the cluster. Pure; time passed in.
 */
public final class BadNodeReports {
  private final int threshold;
  private final long windowMillis;
  /** node -> application -> when it last reported the node. */
  private final Map<String, Map<String, Long>> reports = new HashMap<>();

  /** {@code threshold} 0 turns the cluster-level reaction off. */
  public BadNodeReports(int threshold, long windowMillis) {
    this.threshold = threshold;
    this.windowMillis = windowMillis;
  }

  /** Records a report; returns the applications that now make the node bad for the cluster, or empty. */
  public Set<String> report(String nodeId, String appId, long now) {
    Map<String, Long> byApp = reports.computeIfAbsent(nodeId, k -> new LinkedHashMap<>());
    byApp.put(appId, now);
    byApp.values().removeIf(at -> now - at > windowMillis);
    if (threshold <= 0 || byApp.size() < threshold) {
      return Set.of();
    }
    reports.remove(nodeId);
    return new TreeSet<>(byApp.keySet());
  }
}
