/**
 * What to notify, with Alertmanager's semantics: grouping with group_wait, group_interval and
 * repeat_interval, silences and inhibition, decided by {@link
 * io.feitian.shennong.monitor.notify.Notifier} from the evaluator's alerts and the time passed in.
 *
 * <h2>Invariants (held by NotifierPropertyTest)</h2>
 *
 * <ul>
 *   <li>No notification carries an alert silenced or inhibited when it is decided.
 *   <li>A group is notified again within repeat_interval only if a firing alert is new to the
 *       receiver, a resolved one is new to it, or everything resolved.
 *   <li>An alert that stays firing and unmuted is notified within max(group_wait,
 *       group_interval) of firing (plus the shell's step).
 *   <li>A notifier restored from its snapshot notifies nothing its predecessor notified.
 * </ul>
 *
 * <h2>Cost</h2>
 *
 * A step is linear in the alerts; inhibition costs targets × firing sources per rule.
 */
package io.feitian.shennong.monitor.notify;
