/**
 * The application side of Shennong: {@link io.feitian.client.shennong.ShennongWriter} sends an
 * application's counters, gauges, timers and events to the agent of its node
 * ({@code feitian.shennong.v1.AgentService.Write}).
 *
 * <h2>Model</h2>
 *
 * <ul>
 *   <li>Callers update meters; one daemon thread per writer reads them every flush interval and
 *       sends one sample per series, all stamped with the flush's time, plus the queued events.
 *   <li>Counters and timers are cumulative (Prometheus style): a flush that does not arrive loses
 *       nothing, and the agent computes increases (a decrease is a restart of the application).
 *   <li>A timer publishes {@code .count}, {@code .sum.seconds} (cumulative) and
 *       {@code .max.seconds} (the longest observation since the last delivered flush), because
 *       the agent keeps one sample per series per timestamp.
 * </ul>
 *
 * <h2>Invariants</h2>
 *
 * <ul>
 *   <li>No caller ever waits: meters are lock-free adders and atomics, events go to a bounded
 *       lock-free buffer that drops the newest event when full and counts it.
 *   <li>Per series, timestamps strictly increase from flush to flush, even when the wall clock
 *       steps back, so the agent never refuses a sample of this writer as out of order.
 *   <li>Memory is bounded by the meters registered plus the event capacity, also while the agent
 *       is unreachable.
 * </ul>
 *
 * <h2>Cost</h2>
 *
 * An update is one adder or atomic operation. A flush allocates one sample per series and
 * serializes them; requests are split to stay within the agent's limits (100,000 samples,
 * 10,000 events) and about 1 MiB.
 */
package io.feitian.client.shennong;
