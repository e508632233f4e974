/**
 * The member book of a service: which grants and workers each role holds, and what the
 * service-master must do about them. A plain, single-threaded object: no I/O, no threads, no
 * clock. The daemon ({@code io.feitian.service.master.ServiceMaster}) turns Fuxi's calls, the
 * workers' znodes, the nodes' process reports, ServiceAdmin calls and a tick every second into
 * calls on {@link io.feitian.service.members.MemberBook}, passing the time in, and carries out
 * the {@link io.feitian.service.members.Effect}s each call returns. The partition table
 * ({@code io.feitian.service.partition}) stays the authority on partitions; the book tells it
 * which workers come and go and sends its moves to the workers.
 *
 * <h2>Model</h2>
 *
 * <ul>
 *   <li>A <b>member</b> is a grant held for a role, and the worker in it once that worker
 *       registered (its ephemeral znode). A member is <b>lost</b> while its worker's session is
 *       gone, and <b>draining</b> once chosen to leave a role that is scaled in.
 *   <li><b>Demand.</b> Each role wants a number of workers. Every tick, a role asks Fuxi for
 *       wanted − held (not draining) − asked workers: anywhere, or, under placement limits
 *       ({@code max_per_node}, {@code max_per_rack}), one at a time on the named nodes
 *       {@link io.feitian.service.members.Placement} picks. With too many, it withdraws asks
 *       first, then drains members: unstarted ones first, then those owning the fewest
 *       partitions. A drained member's grant is returned once its worker owns nothing.
 *   <li><b>Grants.</b> A grant is used if its role wants another worker and it breaks no
 *       placement limit; otherwise it is returned at once. A used grant is recorded and a worker
 *       launched on it.
 *   <li><b>Replacement.</b> A grant is returned, and asked for again at the next tick, when its
 *       launch failed, its worker did not register within 30 s, its process ended (the node says
 *       so: its partitions move at once), it was lost for longer than the reassignment delay, or
 *       its role drained it. A revoked grant is forgotten the same way without being returned.
 *       Whatever a returned worker still owns waits out the delay in the table.
 *   <li><b>Moves.</b> Actions of the table go to their worker unless it is lost or the partition
 *       already has a call in flight; moves without a call in flight are sent again every tick.
 * </ul>
 *
 * <h2>Invariants</h2>
 *
 * <ul>
 *   <li>A grant is never both held and returned; a revoked grant is no longer held.
 *   <li>Every registered worker is on a held grant of its role; a worker on any other grant is
 *       ignored (its node stops it with the grant).
 *   <li>Held grants that are not draining never break a role's placement limits on the nodes
 *       the book knows, except grants claimed from a predecessor, which are taken as they are.
 *   <li>Asks never go negative: a role never withdraws more than it asked on a node.
 *   <li>Once settled (no message outstanding, every drain done), a role holds at most the
 *       workers it wants, and held plus asked equals wanted when it has no placement limits.
 * </ul>
 *
 * <p>{@code MemberBookTest} names the scenarios; {@code MemberBookPropertyTest} checks the
 * invariants over random schedules of scale changes, grants, revocations, failed launches, and
 * registrations and process reports that are late, lost or duplicated.
 *
 * <h2>Cost</h2>
 *
 * A tick is O(members × roles) for demand (each role counts its members), plus the table's own
 * expiry and rebalancing, O(partitions × workers). Placement targets cost O(nodes) per worker
 * asked. A message about one grant or worker costs O(1) lookups, plus O(members) to see whether
 * a node is still used when a grant leaves. Services hold at most thousands of workers, so none
 * of this is indexed further.
 */
package io.feitian.service.members;
