/**
 * The operations of a subscription, split where the data is: each agent computes a {@link
 * io.feitian.shennong.ops.Partial} per group over its own samples ({@link
 * io.feitian.shennong.ops.AgentEvaluator}), the master merges the agents' partials into final
 * values ({@link io.feitian.shennong.ops.Merger}), and a {@link io.feitian.shennong.ops.Coalescer}
 * keeps only the newest value per group for a subscriber that falls behind. Plain objects, no
 * I/O, no clock: window ends are passed in.
 *
 * <h2>Operations</h2>
 *
 * A windowed operation takes every sample in (end - window, end] of every matched series in a
 * group (the values of the query's group-by labels; "" where a series lacks one):
 *
 * <ul>
 *   <li>SUM, COUNT, MIN, MAX over those samples; AVG = SUM / COUNT over all agents;
 *   <li>QUANTILE from a t-digest of those samples (compression {@link
 *       io.feitian.shennong.ops.Partial#COMPRESSION}); q = 0 and q = 1 are the exact min and max;
 *   <li>RATE, per second: the sum of each series' increase (resets handled like Prometheus'
 *       rate(); see {@link io.feitian.shennong.ops.AgentEvaluator}) divided by the window. Not
 *       extrapolated, so adjacent windows add up and integer counters give exact results.
 * </ul>
 *
 * <h2>Invariants</h2>
 *
 * <ul>
 *   <li>Merging the partials of any split of the series over agents gives the same count, sum,
 *       min, max, average and rate as evaluating all series in one store (exactly, for values
 *       whose sums are exact in a double), and quantiles within the digest's error. The property
 *       test holds this from a printed seed.
 *   <li>Nothing grows without bound: at most {@link io.feitian.shennong.ops.WindowQuery#MAX_GROUPS}
 *       groups per window on an agent, on the master and per slow subscriber; what is left out is
 *       counted, never dropped silently.
 *   <li>A result never hides what it lacks: agents that did not report and series an agent no
 *       longer held whole are carried to the subscriber.
 * </ul>
 */
package io.feitian.shennong.ops;
