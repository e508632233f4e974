package io.feitian.shennong.monitor.alerts;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Group label sets: the key of an alert within its rule. */
final class Groups {
  /** A stable order for group label sets, so that transitions come out in the same order on every run. */
  static final Comparator<SortedMap<String, String>> ORDER = Comparator.comparing(Map::toString);

  private Groups() {}

  /** The values of {@code by} in {@code labels}; labels a source lacks (or has empty) are left out. */
  static SortedMap<String, String> of(List<String> by, Map<String, String> labels) {
    SortedMap<String, String> group = new TreeMap<>();
    for (String label : by) {
      String value = labels.getOrDefault(label, "");
      if (!value.isEmpty()) {
        group.put(label, value);
      }
    }
    return group;
  }
}
