/**
 * The analysis-service's core (issue 14): cluster totals from per-node samples, kept as history at two
 * resolutions, queried by range, snapshotted to bytes. {@link io.feitian.shennong.analysis.ClusterTotals} is
 * driven by the service's loop with samples, node metadata and the time; it does no I/O.
 *
 * <h2>Rules</h2>
 *
 * <ul>
 *   <li>Fine steps are {@code [k * fine, (k + 1) * fine)} in the samples' own time, aligned to the epoch (as
 *       Shennong's windows), so every node's samples fall in the same steps. A step is formed {@code grace} after
 *       its end; a sample of a formed step is late and refused, one beyond the next step is ahead and refused.
 *   <li>An input series' value in a step is the average of its samples in the step; without a sample, the value it
 *       had in its newest earlier step while that step's newest sample is younger than {@code staleness} at the
 *       step's end; after that it counts in nothing (a node that stopped reporting drops out of every total).
 *   <li>A node's part of a total is the sum of its input series (disks, interfaces, processes, kinds); a group's
 *       total the sum over its nodes. {@code cpu.cores.used} is {@code system.cpu.usage} times the node's
 *       {@code system.cpu.count} in the same step. A group with no counting series has no point (not a 0).
 *   <li>The coarse point of a coarse step is the average and the maximum of its fine totals.
 * </ul>
 *
 * <h2>Invariants</h2>
 *
 * <ul>
 *   <li>For every total and step, the rack groups, the role groups and the node groups each add up to the
 *       cluster's total (every node has exactly one rack, role and name, "" when not known).
 *   <li>Memory is bounded: {@code maxSeries} history series of fixed rings, plus at most
 *       {@link io.feitian.shennong.analysis.ClusterTotals#MAX_INPUTS} input series while steps are formed.
 *   <li>A snapshot restored answers every query as the original did.
 * </ul>
 */
package io.feitian.shennong.analysis;
