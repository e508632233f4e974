package io.feitian.shennong.monitor.notify;

import io.feitian.shennong.select.LabelMatcher;
import java.util.List;
import java.util.Map;

/**
 * One alert mutes others, as in Alertmanager: a firing alert matching {@code source} mutes every
 * other alert matching {@code target} that has the same values of the {@code equal} labels (an
 * absent label counts as ""). For instance {@code source {alertname="NodeSilent"}, target
 * {alertname=~"Process.*"}, equal [node]}: a node that stopped reporting mutes its processes'
 * alerts. An alert never mutes itself.
 */
public record InhibitRule(List<LabelMatcher> source, List<LabelMatcher> target, List<String> equal) {
  public InhibitRule {
    source = List.copyOf(source);
    target = List.copyOf(target);
    equal = List.copyOf(equal);
  }

  public boolean isSource(Map<String, String> labels) {
    return Matchers.matchAll(source, labels);
  }

  public boolean isTarget(Map<String, String> labels) {
    return Matchers.matchAll(target, labels);
  }

  /** Whether a firing {@code source} alert mutes {@code target}, given that each matches its side. */
  public boolean sameEqualLabels(Map<String, String> source, Map<String, String> target) {
    for (String label : equal) {
      if (!source.getOrDefault(label, "").equals(target.getOrDefault(label, ""))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "source " + Matchers.format(source) + " target " + Matchers.format(target) + " equal " + equal;
  }
}
