/**
 * The Fuxi resource scheduler: a plain, single-threaded object that decides which application
 * gets which resources on which node. No I/O, no threads, no clocks; the daemon turns RPCs and
 * membership changes into calls on {@link io.feitian.fuxi.master.scheduler.Scheduler} and
 * delivers the {@link io.feitian.fuxi.master.scheduler.Outcome} each call returns.
 *
 * <h2>Model (after the Fuxi paper, VLDB 2014)</h2>
 *
 * <ul>
 *   <li><b>Nodes</b> have a total and a free {@link io.feitian.common.resource.ResourceVector}, and
 *       belong to a rack. Blacklisted nodes keep their grants but get no new ones.
 *   <li><b>Applications</b> belong to a <b>quota group</b> (min, max, weight; the group
 *       {@code default} always exists). An application asks for <b>units</b>: a unit has a fixed
 *       shape and priority; the application sends deltas of units wanted at one vertex of the
 *       <b>locality tree</b>: a machine, a rack, or the cluster. Outstanding units are kept in a
 *       <b>bucket</b> per (application, unit, level, target).
 *   <li><b>Incremental scheduling.</b> A request is placed at once if there is room (the named
 *       machine; else, with relaxed locality, its rack; else anywhere). What does not fit waits
 *       in the queue of its vertex (and, relaxed, of the vertices above it). When resources free
 *       on node M (release, revoke, application removed, node added or grown, unblacklisted),
 *       the scheduler looks at M's queue, then the queue of M's rack, then the cluster's, and
 *       grants as long as something fits. No periodic pass exists: every decision is triggered
 *       by the call that made it possible, and returned by that call.
 *   <li><b>Order within a queue</b>: higher priority first; at equal priority the quota group
 *       that is furthest below its guaranteed min (dominant share of min) goes first, then groups
 *       at or above min by their dominant share of the cluster above min divided by weight
 *       (fair sharing of the spare); then the oldest bucket. The locality order comes before
 *       priority: a waiting machine-local request of M wins over a higher-priority cluster
 *       request when M frees.
 *   <li><b>Quota max</b> is never exceeded by a new grant; the demand waits. When the group's
 *       usage drops, its waiting demand that the max held back is retried wherever there is
 *       room. <b>Quota min</b> is enforced by {@code planPreemption}, which proposes grants to
 *       revoke and changes nothing itself.
 *   <li><b>Grants</b> have ids issued sequentially from the id given to the constructor (the
 *       daemon uses {@code epoch << 40}). After a leader failover the daemon re-installs the
 *       grants reported by task workers with {@code restore}, and application masters re-send
 *       their outstanding demand.
 * </ul>
 *
 * <h2>Invariants</h2>
 *
 * <ul>
 *   <li>No node is over-allocated in any dimension: free = total − the shapes of its grants ≥ 0.
 *   <li>Every grant is held once, by a live application, on a live node; ids are never reused
 *       while held.
 *   <li>A bucket's outstanding count is exactly what was requested minus what was withdrawn
 *       minus the grants taken from it; each grant names its bucket
 *       ({@code requestedLevel}/{@code requestedTarget}).
 *   <li>Work conservation: a waiting unit never fits on a schedulable node in its part of the
 *       tree unless its group's max forbids it.
 * </ul>
 *
 * <h2>Cost</h2>
 *
 * A queue is organised as priority levels of <em>lanes</em>, one per (quota group, shape), each a
 * FIFO of buckets; whether anything in a lane fits depends only on its shape and group, so a
 * decision looks at lane heads only: O(priorities × groups × distinct shapes) per queue, not
 * O(waiting requests). Finding a node with room for a shape in a rack or the cluster uses a
 * segment tree over nodes keyed by per-dimension maximum free resources (first fit), O(log n)
 * in practice instead of a scan. Demand held back by a quota max is tracked per group (by shape,
 * then priority), so a release retries only that demand, and skips a shape at once when no node
 * anywhere has room for it. Grants are kept in a primitive open-addressing table by id. See
 * {@code docs/PERFORMANCE.md} for measured costs. Not included: reservations for large shapes (small shapes may
 * overtake them indefinitely), delay scheduling, and per-application limits.
 */
package io.feitian.fuxi.master.scheduler;
