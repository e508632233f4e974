package io.feitian.shennong.monitor.service;

import io.feitian.proto.shennong.v1.GroupResult;
import io.feitian.proto.shennong.v1.Label;
import io.feitian.proto.shennong.v1.SubscriptionUpdate;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Threshold rules' windows as the evaluator should see them. A window with a gap (an agent that
 * did not report in time, series an agent no longer held whole) is not whole: a group missing
 * from it may be one the missing agent holds, and the evaluator would take it as not holding and
 * resolve its alert. So the groups such a window lacks keep their values from the previous window
 * taken; and a gapped window before any was taken (a new leader's first window is often gapped,
 * its agents not yet reporting the new subscription) is not taken at all, so alerts restored from
 * the previous leader stay as they were until the data speaks. Absence rules do not go through
 * this: a silent agent is what they watch for. One caller at a time (the term's loop).
 */
final class WholeWindows {
  private final Map<String, Map<List<Label>, GroupResult>> lastGroups = new HashMap<>();

  /** The update to feed the evaluator for {@code rule}, or empty to feed nothing. */
  Optional<SubscriptionUpdate> take(String rule, SubscriptionUpdate update) {
    Map<List<Label>, GroupResult> groups = new LinkedHashMap<>();
    update.getGroupsList().forEach(g -> groups.put(g.getGroupList(), g));
    boolean gap = update.getGap().getMissingAgentsCount() > 0 || update.getGap().getIncompleteSeries() > 0;
    Map<List<Label>, GroupResult> previous = lastGroups.get(rule);
    if (gap && previous == null) {
      return Optional.empty();
    }
    if (gap) {
      previous.forEach(groups::putIfAbsent);
    }
    lastGroups.put(rule, groups);
    return Optional.of(gap ? update.toBuilder().clearGroups().addAllGroups(groups.values()).build() : update);
  }

  /** The rule's subscription changed or ended: its next window starts afresh. */
  void forget(String rule) {
    lastGroups.remove(rule);
  }
}
