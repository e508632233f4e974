package io.feitian.shennong.monitor.alerts;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** One group's value in one window of a rule's subscription: its group_by labels (empty ones left out) and value. */
public record Reading(SortedMap<String, String> group, double value) {
  public Reading {
    TreeMap<String, String> copy = new TreeMap<>(group);
    copy.values().removeIf(String::isEmpty);
    group = Collections.unmodifiableSortedMap(copy);
  }

  public static Reading of(Map<String, String> group, double value) {
    return new Reading(new TreeMap<>(group), value);
  }
}
