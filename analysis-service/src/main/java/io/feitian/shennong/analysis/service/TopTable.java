package io.feitian.shennong.analysis.service;

import io.feitian.proto.shennong.v1.TopResponse;
import io.feitian.proto.shennong.v1.TopRow;
import io.feitian.shennong.analysis.QueryResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The answer to Top from two one-step queries of the core (the cluster's totals, and every group's of
 * a grouping): one row per group with every total it has a point for, sorted by one total, largest
 * first (a row without that total last), ties and no sort by the group's name.
 */
final class TopTable {
  private TopTable() {}

  static TopResponse of(long stepStartMs, long stepMs, QueryResult cluster, String grouping,
      QueryResult groups, String sort, int limit) {
    TopResponse.Builder out = TopResponse.newBuilder().setStepStartMs(stepStartMs).setStepMs(stepMs)
        .setGrouping(grouping);
    for (QueryResult.Series s : cluster.series()) {
      s.points().forEach(p -> out.putCluster(s.total(), p.avg()));
    }
    Map<String, Map<String, Double>> rows = new TreeMap<>();
    for (QueryResult.Series s : groups.series()) {
      for (QueryResult.Point p : s.points()) {
        rows.computeIfAbsent(s.group(), g -> new TreeMap<>()).put(s.total(), p.avg());
      }
    }
    List<Map.Entry<String, Map<String, Double>>> sorted = new ArrayList<>(rows.entrySet());
    if (!sort.isEmpty()) {
      sorted.sort(Comparator.comparingDouble(
          (Map.Entry<String, Map<String, Double>> e) -> -e.getValue().getOrDefault(sort, Double.NEGATIVE_INFINITY)));
    }
    out.setGroups(sorted.size());
    for (Map.Entry<String, Map<String, Double>> e : limit > 0 && sorted.size() > limit ? sorted.subList(0, limit)
        : sorted) {
      out.addRows(TopRow.newBuilder().setGroup(e.getKey()).putAllTotals(e.getValue()));
    }
    return out.build();
  }
}
