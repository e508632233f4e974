/**
 * Dayu's rollout planner and controller: a plain, single-threaded state machine with no I/O,
 * threads or clock. {@link io.feitian.dayu.rollout.Rollout#plan} turns an operator's request
 * (deploy, upgrade, scale-out, scale-in, rollback to an earlier revision) over a cluster view
 * into phases; every later call (a step reported, a health report, a node leaving or returning,
 * the time, pause, resume, abort, approve, rollback) returns the
 * {@link io.feitian.dayu.rollout.Action}s the server must take. Its whole state is the plain
 * record {@link io.feitian.dayu.rollout.RolloutState}, which the database stores.
 *
 * <h2>Model</h2>
 * <ul>
 *   <li>A <b>phase</b> per module, in dependency order ({@link io.feitian.dayu.descriptor.ModuleGraph}
 *       over the target versions and what the cluster runs of the other modules); scale-in
 *       removes modules in the reverse order. A phase's nodes are split into <b>batches</b> when
 *       the phase starts: an optional canary batch, then the strategy's sizes.
 *   <li>A <b>task</b> is one node's work on one module: the descriptor's deploy, upgrade or
 *       remove steps, reported one by one. A restarted server re-sends running tasks from
 *       their last reported step.
 *   <li>A batch ends when its tasks ended and its last success stayed healthy for the minimum
 *       healthy time. Then the next batch starts (after approval when interactive).
 *   <li>A node away when its phase or batch starts, or that leaves during its task, is
 *       <b>deferred</b> and does not hold the batch up; when it returns its task resumes (also
 *       after the rollout succeeded): the repair of nodes that were offline.
 *   <li>Failures beyond the threshold, or any failure in a canary batch, <b>stop</b> the
 *       rollout: nothing new starts. With automatic rollback, once running tasks ended, every
 *       node that was told to change gets a rollback task to its previous version, dependents
 *       first; with manual rollback the rollout waits as FAILED for {@code rollback}.
 * </ul>
 *
 * <h2>Invariants (checked by RolloutPropertyTest)</h2>
 * <ul>
 *   <li>A task starts only if, for every role of its node, the nodes of that role that are down,
 *       in a task or broken by a failed one stay within the strategy's maximum unavailable.
 *   <li>A node runs one task at a time; a module's first batch starts only after every module
 *       it depends on finished its batches.
 *   <li>A stopped rollout starts no further forward task; a rollback returns every touched
 *       node to its previous version; scale-in never removes a role's last node.
 *   <li>A succeeded rollout left every node that was up at the target, except nodes whose
 *       failure was within the threshold and nodes held back because failed nodes use up
 *       their role's unavailability budget. A node with a failed task gets no further forward
 *       change; on rollback it is undone first.
 * </ul>
 *
 * <h2>Cost</h2>
 * Each call scans the rollout's tasks: O(tasks²) in the worst case, fine for the hundreds to
 * low thousands of nodes of one rollout; nothing is kept between calls but the state record.
 */
package io.feitian.dayu.rollout;
