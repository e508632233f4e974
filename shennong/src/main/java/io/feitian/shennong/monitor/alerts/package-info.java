/**
 * Rule evaluation: {@link io.feitian.shennong.monitor.alerts.AlertEvaluator} turns what each
 * rule's subscription delivered, and the time passed in, into alert transitions (INACTIVE,
 * PENDING, FIRING, RESOLVED) for the shell to record, and holds the current alerts for the
 * notifier.
 *
 * <h2>Invariants</h2>
 *
 * <ul>
 *   <li>One alert per rule and group of its {@code by} labels; its labels are fixed when it
 *       becomes pending, its annotations follow the newest value.
 *   <li>A rule whose subscription has not delivered a window since the evaluator started changes
 *       nothing: a restored standby neither resolves nor raises alerts before its data arrives.
 *   <li>{@link io.feitian.shennong.monitor.alerts.AlertEvaluator#snapshot()} and {@code restore}
 *       round-trip: the restored evaluator produces the same transitions as the original.
 * </ul>
 *
 * <h2>Cost</h2>
 *
 * An evaluation is linear in the groups of the newest windows, the groups remembered by absence
 * rules (at most 10,000 per rule) and the events held by event rules (at most 10,000 per group).
 */
package io.feitian.shennong.monitor.alerts;
