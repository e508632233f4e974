/**
 * A job-master's grants, and its adoption of a predecessor's workers: a plain,
 * single-threaded object, {@link io.feitian.job.grants.JobGrants}. No I/O, no
 * threads, no clock; the job-master turns Fuxi's grants and revocations, its
 * Task Workers' hellos and ends, the answers of task-workers and its timers
 * into calls that carry the time, and carries out the
 * {@link io.feitian.job.grants.Effect}s each call returns, in order.
 *
 * <h2>Model</h2>
 *
 * <ul>
 *   <li><b>Held grants.</b> A grant is held for one task (its unit) on one
 *       node. It is taken when Fuxi grants it and its task wants a worker
 *       on a node it does not avoid (a Task Worker is then launched in it);
 *       otherwise it is declined at once. It stops being held when it is
 *       returned (its worker ended or could not start, or its claim was
 *       given up), revoked by Fuxi, or the job ends.
 *   <li><b>Adoption.</b> A restarted master starts by holding the grants its
 *       predecessor recorded (the claimed grants). Their Task Workers keep
 *       running and come back to say hello. Until every claimed grant's
 *       worker is back, or {@code ADOPT_WAIT_MS} (5 s) has passed, no new work
 *       is handed out, so that an attempt on its way back is not started a
 *       second time. The claimed grants' nodes are asked which workers they
 *       run: a claimed grant whose node runs none is returned at once, and
 *       one whose worker is not back within {@code ADOPT_GIVE_UP_MS} (15 s)
 *       is returned then.
 *   <li><b>Launch failures.</b> A node whose task-worker cannot be reached is
 *       avoided for {@code UNREACHABLE_AVOID_MS} (30 s; Fuxi declares a dead
 *       node lost by then) and its failure does not count. Other failures
 *       count, and the job fails at more than {@code MAX_LAUNCH_FAILURES}
 *       (20).
 *   <li><b>Time</b> is passed in. The book says when it must next be called
 *       ({@code WakeAt}); being called late only delays its decisions, being
 *       called early asks for another wake-up.
 * </ul>
 *
 * <h2>Invariants</h2>
 *
 * <ul>
 *   <li>A grant is held at most once and never again once it has been
 *       returned, declined or revoked; a held grant is returned at most once.
 *   <li>A worker is accepted only for a grant held for its task.
 *   <li>Claimed grants awaiting their worker are held grants.
 *   <li>The hold on new work ends by {@code ADOPT_WAIT_MS} after the start at
 *       the latest, and as soon as no claimed grant is awaited;
 *       {@code ResumeWork} is returned once, when it ends.
 *   <li>Every claimed grant is, by {@code ADOPT_GIVE_UP_MS} after the start
 *       (at the first call from then on), either back with its worker,
 *       returned, or revoked.
 * </ul>
 *
 * <h2>Cost</h2>
 *
 * A job holds a grant per running Task Worker, so the book is small: a call
 * costs O(1) but for {@code heldFor} (the held grants, O(grants), asked on
 * every demand adjustment), {@code workersListed} and {@code tick} (the
 * awaited grants, O(claimed)), and {@code unreachableNodes} (the nodes
 * avoided lately). {@code JobGrantsPropertyTest} drives it with random
 * schedules of grants, revocations, lost, late and duplicated hellos, launch
 * failures and clock ticks.
 */
package io.feitian.job.grants;
