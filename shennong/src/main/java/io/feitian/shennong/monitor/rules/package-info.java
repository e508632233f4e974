/**
 * The monitor-service's rule files: HOCON text to a {@link io.feitian.shennong.monitor.rules.RuleSet}
 * of threshold, absence and event rules, each compiled to exactly one Shennong subscription
 * ({@link io.feitian.shennong.monitor.rules.Rule#subscription()}), plus inhibition rules. The
 * format is documented in docs/SHENNONG.md, "Monitor rules".
 *
 * <p>Everything a rule needs at run time is checked at load time (selectors, aggregation
 * function, durations, the subscription's limits, templates and the labels they read); every
 * error is a {@link io.feitian.shennong.monitor.rules.RuleError} naming the file, the line and the
 * field. Pure: no I/O (the directory is read by {@link io.feitian.shennong.monitor.RuleDirectory}).
 */
package io.feitian.shennong.monitor.rules;
