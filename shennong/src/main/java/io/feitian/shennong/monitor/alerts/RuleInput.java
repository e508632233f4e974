package io.feitian.shennong.monitor.alerts;

import java.util.SortedMap;

/**
 * What a rule's subscription has delivered so far, reduced to the question the evaluator asks at
 * each evaluation: which groups meet the condition now, and with which value.
 */
abstract sealed class RuleInput permits ThresholdInput, AbsenceInput, EventInput {
  /**
   * The groups whose condition holds at {@code nowMs}, with their values, in {@link Groups#ORDER};
   * null while the input cannot tell (no window has arrived since the evaluator started), so that a
   * restarted evaluator neither resolves nor raises anything before its subscription speaks.
   */
  abstract SortedMap<SortedMap<String, String>, Double> holding(long nowMs);
}
