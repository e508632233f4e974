package io.feitian.fuxi.master.scheduler;

import io.feitian.common.resource.ResourceVector;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The Fuxi resource scheduler: incremental scheduling of demand onto nodes along the locality
 * tree. See the package documentation for the model.
 *
 * <p>Not thread-safe: the daemon serializes calls. Every method either completes or throws before
 * changing anything. Argument errors are {@link IllegalArgumentException}s, and calls that are
 * well-formed but conflict with the current state (restore of a held id, removing a quota group
 * in use) are {@link IllegalStateException}s; both name the offending field or object.
 */
public final class Scheduler {

    private long nextGrantId;
    /** The highest id installed by {@link #restore}; issuing checks for collisions only below it. */
    private long highestRestoredId = Long.MIN_VALUE;
    private long nextSeq;
    private long pendingUnits;

    private final LocalityTree tree = new LocalityTree();
    private final Map<String, AppState> apps = new LinkedHashMap<>();
    private final Map<String, GroupState> groups = new LinkedHashMap<>();
    private final Set<String> blacklist = new HashSet<>();
    private final Set<String> draining = new HashSet<>();
    private final GrantTable grants = new GrantTable();

    /**
     * @param firstGrantId the first grant id to issue; the daemon passes {@code epoch << 40} so
     *     that ids from different leader terms never collide
     */
    public Scheduler(long firstGrantId) {
        this.nextGrantId = firstGrantId;
        groups.put(QuotaGroup.DEFAULT, new GroupState(QuotaGroup.unlimited(QuotaGroup.DEFAULT, 1.0)));
    }

    // ---------------------------------------------------------------- nodes

    /**
     * Adds a node, or updates the total of a known node, then schedules waiting demand onto it.
     *
     * @throws IllegalArgumentException if an id is blank, the total is negative, the node is known
     *     in another rack, or the new total cannot hold the grants already on the node
     */
    public Outcome addNode(String nodeId, String rack, ResourceVector total) {
        requireName("nodeId", nodeId);
        requireName("rack", rack);
        if (total == null) {
            throw new IllegalArgumentException("total of node " + nodeId + " must not be null");
        }
        if (total.anyNegative()) {
            throw new IllegalArgumentException("total of node " + nodeId + " must not be negative, got " + total);
        }
        NodeState n = tree.node(nodeId);
        if (n != null) {
            if (!n.rack.equals(rack)) {
                throw new IllegalArgumentException("node " + nodeId + " is in rack " + n.rack
                        + ", not " + rack + "; remove it before moving it");
            }
            ResourceVector inUse = n.total.minus(n.free);
            if (!inUse.fitsIn(total)) {
                throw new IllegalArgumentException("node " + nodeId + ": new total " + total
                        + " cannot hold the grants on it (" + inUse + " in use)");
            }
            tree.resize(n, total);
        } else {
            n = tree.addNode(nodeId, rack, total, blacklist.contains(nodeId), draining.contains(nodeId));
        }
        OutcomeBuilder out = new OutcomeBuilder();
        scheduleOn(n, out);
        return out.build();
    }

    /**
     * Removes a lost node. Its grants are released and returned in {@code released}; demand that
     * names it keeps waiting in case it comes back. Groups that were held back by their max may
     * get grants elsewhere, returned in {@code granted}.
     *
     * @throws IllegalArgumentException if the node is unknown
     */
    public Outcome removeNode(String nodeId) {
        NodeState n = requireNode(nodeId);
        OutcomeBuilder out = new OutcomeBuilder();
        Set<GroupState> touched = new LinkedHashSet<>();
        while (n.first != null) {
            HeldGrant h = n.first;
            detach(h);
            touched.add(h.app.group);
            out.released(h.grant);
        }
        tree.removeNode(n);
        for (GroupState g : touched) {
            retryGroup(g, out);
        }
        return out.build();
    }

    /**
     * No new grants on the node (known now or joining later); grants already there stay.
     */
    public void blacklist(String nodeId) {
        close(nodeId, blacklist, n -> n.blacklisted = true);
    }

    /** Lifts a blacklisting and, unless the node is draining, schedules waiting demand onto it. */
    public Outcome unblacklist(String nodeId) {
        return reopen(nodeId, blacklist, n -> n.blacklisted = false);
    }

    /**
     * Drains a node for its removal: no new grants there (known now or joining later), the grants
     * already there stay until their applications return them (or the node goes). Apart from
     * its meaning for operators it works as a blacklisting, and the two are independent: either
     * keeps new grants off the node.
     */
    public void drain(String nodeId) {
        close(nodeId, draining, n -> n.draining = true);
    }

    /** Ends a drain and, unless the node is blacklisted, schedules waiting demand onto it. */
    public Outcome undrain(String nodeId) {
        return reopen(nodeId, draining, n -> n.draining = false);
    }

    private void close(String nodeId, Set<String> closedIds, Consumer<NodeState> mark) {
        requireName("nodeId", nodeId);
        if (!closedIds.add(nodeId)) {
            return;
        }
        NodeState n = tree.node(nodeId);
        if (n != null) {
            mark.accept(n);
            tree.freeChanged(n);
        }
    }

    private Outcome reopen(String nodeId, Set<String> closedIds, Consumer<NodeState> unmark) {
        requireName("nodeId", nodeId);
        if (!closedIds.remove(nodeId)) {
            return Outcome.NONE;
        }
        NodeState n = tree.node(nodeId);
        if (n == null) {
            return Outcome.NONE;
        }
        unmark.accept(n);
        tree.freeChanged(n);
        OutcomeBuilder out = new OutcomeBuilder();
        scheduleOn(n, out);
        return out.build();
    }

    // ---------------------------------------------------------------- quota groups

    /**
     * Creates or replaces a quota group. Replacing one may let its waiting demand through (a
     * larger max), which the returned outcome carries. Lowering max below current usage revokes
     * nothing: the group gets no new grants until it is below max again.
     */
    public Outcome setQuota(QuotaGroup q) {
        if (q == null) {
            throw new IllegalArgumentException("quota group must not be null");
        }
        GroupState g = groups.get(q.name());
        if (g == null) {
            groups.put(q.name(), new GroupState(q));
            return Outcome.NONE;
        }
        g.setQuota(q);
        OutcomeBuilder out = new OutcomeBuilder();
        retryGroup(g, out);
        return out.build();
    }

    /**
     * @throws IllegalArgumentException for the default group or an unknown group
     * @throws IllegalStateException if an application is in the group
     */
    public void removeQuota(String name) {
        if (QuotaGroup.DEFAULT.equals(name)) {
            throw new IllegalArgumentException("quota group " + QuotaGroup.DEFAULT + " cannot be removed");
        }
        GroupState g = groups.get(name);
        if (g == null) {
            throw new IllegalArgumentException("unknown quota group " + name);
        }
        if (!g.apps.isEmpty()) {
            throw new IllegalStateException("quota group " + name + " is used by " + g.apps.size()
                    + " application(s), e.g. " + g.apps.iterator().next().id);
        }
        groups.remove(name);
    }

    // ---------------------------------------------------------------- applications

    /**
     * Registers an application in a quota group. Adding a known application again in the same
     * group does nothing.
     *
     * @throws IllegalArgumentException if the group does not exist or the application is known in
     *     another group
     */
    public void addApp(String appId, String quotaGroup) {
        requireName("appId", appId);
        requireName("quotaGroup", quotaGroup);
        GroupState g = groups.get(quotaGroup);
        if (g == null) {
            throw new IllegalArgumentException("quota group " + quotaGroup + " does not exist (app " + appId + ")");
        }
        AppState a = apps.get(appId);
        if (a != null) {
            if (a.group != g) {
                throw new IllegalArgumentException("app " + appId + " already exists in quota group " + a.group.quota.name());
            }
            return;
        }
        a = new AppState(appId, g);
        apps.put(appId, a);
        g.apps.add(a);
    }

    /**
     * Removes an application: drops its demand, releases its grants (returned in
     * {@code released}) and reschedules the freed resources (new grants in {@code granted}).
     *
     * @throws IllegalArgumentException if the application is unknown
     */
    public Outcome removeApp(String appId) {
        AppState a = requireApp(appId);
        for (Bucket b : new ArrayList<>(a.buckets.values())) {
            pendingUnits -= b.count;
            tree.dequeue(b);
        }
        a.buckets.clear();
        a.outstanding = 0;
        OutcomeBuilder out = new OutcomeBuilder();
        Set<NodeState> freed = new LinkedHashSet<>();
        while (a.first != null) {
            HeldGrant h = a.first;
            detach(h);
            freed.add(h.node);
            out.released(h.grant);
        }
        apps.remove(appId);
        a.group.apps.remove(a);
        for (NodeState n : freed) {
            scheduleOn(n, out);
        }
        retryGroup(a.group, out);
        return out.build();
    }

    // ---------------------------------------------------------------- demand

    /**
     * Adds {@code countDelta} units to (or, if negative, withdraws them from) the demand bucket
     * (appId, unit, level, target), and places what it can at once.
     *
     * <p>The first request for a unit fixes its shape and priority. A positive delta also sets
     * the bucket's relaxLocality: when true, a MACHINE bucket waits in the node's queue, the
     * queue of the node's rack (once the node is known) and the cluster queue; a RACK bucket in
     * the rack's and the cluster's. Immediate placement tries the same places in that order.
     * Withdrawing more than is outstanding withdraws what is outstanding. A MACHINE target that
     * is not (yet) a known node, or a RACK target with no nodes, is accepted: the demand waits.
     * While no node at all is known (a new leader before task workers report), no shape is
     * refused as too large.
     *
     * @param target a node id for MACHINE, a rack for RACK, empty (or null) for CLUSTER
     * @return the grants issued by immediate placement
     * @throws IllegalArgumentException naming the field, if the application is unknown, the unit
     *     is blank, the shape is zero or negative or fits no known node's total, the target does
     *     not match the level, or the shape or priority differ from the unit's
     */
    /** Whether some node could hold the shape when empty (true while no node is known yet). */
    public boolean anyNodeCanHold(ResourceVector shape) {
        return tree.isEmpty() || tree.anyNodeCanHold(shape);
    }

    public Outcome request(String appId, String unit, ResourceVector shape, int priority,
            LocalityLevel level, String target, int countDelta, boolean relaxLocality) {
        AppState a = requireApp(appId);
        requireName("unit", unit);
        if (shape == null) {
            throw new IllegalArgumentException("shape of unit " + unit + " must not be null");
        }
        if (shape.isZero() || shape.anyNegative()) {
            throw new IllegalArgumentException("shape of unit " + unit + " must be positive in some dimension"
                    + " and negative in none, got " + shape);
        }
        if (level == null) {
            throw new IllegalArgumentException("level of unit " + unit + " must not be null");
        }
        if (level == LocalityLevel.CLUSTER) {
            if (target != null && !target.isEmpty()) {
                throw new IllegalArgumentException("target must be empty for level CLUSTER, got '" + target + "'");
            }
            target = "";
        } else if (target == null || target.isBlank()) {
            throw new IllegalArgumentException("target must name a " + (level == LocalityLevel.MACHINE ? "node" : "rack")
                    + " for level " + level);
        }
        UnitSpec spec = a.units.get(unit);
        if (spec != null && (spec.priority() != priority || !spec.shape().equals(shape))) {
            throw new IllegalArgumentException("unit " + unit + " of app " + appId + " already has shape "
                    + spec.shape() + " priority " + spec.priority() + "; got shape " + shape + " priority " + priority);
        }
        if (countDelta > 0 && !tree.isEmpty() && !tree.anyNodeCanHold(shape)) {
            throw new IllegalArgumentException("shape " + shape + " of unit " + unit + " exceeds the largest node");
        }
        if (countDelta == 0) {
            return Outcome.NONE;
        }
        BucketKey key = new BucketKey(unit, level, target);
        Bucket b = a.buckets.get(key);
        if (countDelta < 0) {
            if (b != null) {
                long withdrawn = Math.min(b.count, -(long) countDelta);
                b.count -= withdrawn;
                a.outstanding -= withdrawn;
                pendingUnits -= withdrawn;
                if (b.count == 0) {
                    tree.dequeue(b);
                    a.buckets.remove(key);
                }
            }
            return Outcome.NONE;
        }
        if (spec == null) {
            spec = new UnitSpec(shape, priority);
            a.units.put(unit, spec);
        }
        if (b == null) {
            b = new Bucket(a, key, spec, nextSeq++);
            b.relax = relaxLocality;
            a.buckets.put(key, b);
            tree.enqueue(b);
        } else if (b.relax != relaxLocality) {
            tree.dequeue(b);
            b.relax = relaxLocality;
            tree.enqueue(b);
        }
        b.count += countDelta;
        a.outstanding += countDelta;
        pendingUnits += countDelta;
        OutcomeBuilder out = new OutcomeBuilder();
        placeNow(b, out);
        return out.build();
    }

    // ---------------------------------------------------------------- grants

    /** The application gave the grant back. The freed resources are rescheduled. */
    public Outcome release(long grantId) {
        return free(grantId);
    }

    /**
     * Takes a grant away (administrator or preemption); the daemon tells the owner. The freed
     * resources are rescheduled.
     */
    public Outcome revoke(long grantId) {
        return free(grantId);
    }

    private Outcome free(long grantId) {
        HeldGrant h = grants.get(grantId);
        if (h == null) {
            throw new IllegalArgumentException("unknown grant " + grantId);
        }
        detach(h);
        OutcomeBuilder out = new OutcomeBuilder();
        out.released(h.grant);
        scheduleOn(h.node, out);
        retryGroup(h.app.group, out);
        return out.build();
    }

    /**
     * Re-installs a grant issued in an earlier leader term, with its id, without touching demand.
     * If the unit is not known yet, the grant defines its shape and priority. Quota max is not
     * enforced: running work is never refused after a failover.
     *
     * @throws IllegalArgumentException if the grant is null or its shape is zero or negative
     * @throws IllegalStateException if the node or application is unknown, the id is held, the
     *     unit is known with another shape or priority, or the shape does not fit the node's free
     *     resources
     */
    public void restore(Grant g) {
        if (g == null) {
            throw new IllegalArgumentException("grant must not be null");
        }
        if (g.shape().isZero() || g.shape().anyNegative()) {
            throw new IllegalArgumentException("grant " + g.grantId() + ": shape must be positive, got " + g.shape());
        }
        NodeState n = tree.node(g.nodeId());
        if (n == null) {
            throw new IllegalStateException("cannot restore grant " + g.grantId() + ": unknown node " + g.nodeId());
        }
        AppState a = apps.get(g.appId());
        if (a == null) {
            throw new IllegalStateException("cannot restore grant " + g.grantId() + ": unknown app " + g.appId());
        }
        if (grants.containsKey(g.grantId())) {
            throw new IllegalStateException("cannot restore grant " + g.grantId() + ": the id is already held");
        }
        UnitSpec spec = a.units.get(g.unit());
        if (spec != null && (spec.priority() != g.priority() || !spec.shape().equals(g.shape()))) {
            throw new IllegalStateException("cannot restore grant " + g.grantId() + ": unit " + g.unit()
                    + " of app " + g.appId() + " has shape " + spec.shape() + " priority " + spec.priority());
        }
        if (!g.shape().fitsIn(n.free)) {
            throw new IllegalStateException("cannot restore grant " + g.grantId() + ": shape " + g.shape()
                    + " does not fit the free resources of node " + n.id + " (" + n.free + ")");
        }
        if (spec == null) {
            a.units.put(g.unit(), new UnitSpec(g.shape(), g.priority()));
        }
        attach(g, n, a);
        highestRestoredId = Math.max(highestRestoredId, g.grantId());
    }

    /**
     * Grants to revoke so that quota groups below their guaranteed minimum can place waiting
     * demand up to that minimum. Changes nothing; the daemon calls {@link #revoke} on each.
     *
     * @return grants in revocation order: lowest priority first, newest first
     */
    public List<Grant> planPreemption() {
        return new PreemptionPlanner(groups.values(), grants.values()).plan();
    }

    // ---------------------------------------------------------------- queries

    public Optional<NodeStatus> node(String nodeId) {
        NodeState n = tree.node(nodeId);
        return n == null ? Optional.empty() : Optional.of(n.status());
    }

    /** Every live node, sorted by id. */
    public List<NodeStatus> nodes() {
        List<NodeStatus> out = new ArrayList<>(tree.nodes().size());
        for (NodeState n : tree.nodes()) {
            out.add(n.status());
        }
        out.sort(Comparator.comparing(NodeStatus::nodeId));
        return out;
    }

    public int nodeCount() {
        return tree.nodes().size();
    }

    /** The sum of the totals of all live nodes, blacklisted ones included. */
    public ResourceVector clusterTotal() {
        return tree.total();
    }

    public boolean isBlacklisted(String nodeId) {
        return blacklist.contains(nodeId);
    }

    public boolean isDraining(String nodeId) {
        return draining.contains(nodeId);
    }

    /** Draining node ids, known or not, sorted. */
    public List<String> draining() {
        return List.copyOf(new TreeSet<>(draining));
    }

    /** Blacklisted node ids, known or not, sorted. */
    public List<String> blacklist() {
        return List.copyOf(new TreeSet<>(blacklist));
    }

    public Optional<AppStatus> app(String appId) {
        AppState a = apps.get(appId);
        return a == null ? Optional.empty() : Optional.of(a.status());
    }

    /** Every application, in the order they were added. */
    public List<AppStatus> apps() {
        List<AppStatus> out = new ArrayList<>(apps.size());
        for (AppState a : apps.values()) {
            out.add(a.status());
        }
        return out;
    }

    public Optional<GroupStatus> group(String name) {
        GroupState g = groups.get(name);
        return g == null ? Optional.empty() : Optional.of(g.status());
    }

    /** Every quota group, in the order they were created ("default" first). */
    public List<GroupStatus> groups() {
        List<GroupStatus> out = new ArrayList<>(groups.size());
        for (GroupState g : groups.values()) {
            out.add(g.status());
        }
        return out;
    }

    /** Units requested by all applications and neither granted nor withdrawn yet. */
    public long pendingUnits() {
        return pendingUnits;
    }

    /** The grants an application holds, oldest first. */
    public List<Grant> grantsOf(String appId) {
        List<Grant> out = new ArrayList<>();
        for (HeldGrant h = requireApp(appId).first; h != null; h = h.appNext) {
            out.add(h.grant);
        }
        return out;
    }

    /** The grants on a node, oldest first. */
    public List<Grant> grantsOn(String nodeId) {
        List<Grant> out = new ArrayList<>();
        for (HeldGrant h = requireNode(nodeId).first; h != null; h = h.nodeNext) {
            out.add(h.grant);
        }
        return out;
    }

    public Optional<Grant> grant(long grantId) {
        HeldGrant h = grants.get(grantId);
        return h == null ? Optional.empty() : Optional.of(h.grant);
    }

    public int grantCount() {
        return grants.size();
    }

    /** An application's non-empty demand buckets, oldest first. */
    public List<DemandStatus> demandOf(String appId) {
        List<DemandStatus> out = new ArrayList<>();
        for (Bucket b : requireApp(appId).buckets.values()) {
            out.add(b.status());
        }
        return out;
    }

    // ---------------------------------------------------------------- placement

    /** Immediate placement of one bucket: its own place in the tree, then (relaxed) upwards. */
    private void placeNow(Bucket b, OutcomeBuilder out) {
        ResourceVector shape = b.spec.shape();
        GroupState g = b.app.group;
        String target = b.key.target();
        while (b.count > 0) {
            if (!g.allows(shape)) {
                for (Lane lane : b.lanes) {
                    if (lane != null) {
                        g.block(lane);
                    }
                }
                return;
            }
            NodeState n;
            switch (b.key.level()) {
                case MACHINE: {
                    n = tree.roomOn(target, shape);
                    if (n == null && b.relax) {
                        NodeState m = tree.node(target);
                        if (m != null) {
                            n = tree.roomInRack(m.rack, shape);
                        }
                        if (n == null) {
                            n = tree.roomAnywhere(shape);
                        }
                    }
                    break;
                }
                case RACK:
                    n = tree.roomInRack(target, shape);
                    if (n == null && b.relax) {
                        n = tree.roomAnywhere(shape);
                    }
                    break;
                default:
                    n = tree.roomAnywhere(shape);
            }
            if (n == null) {
                return;
            }
            issue(b, n, out);
        }
    }

    /**
     * Resources freed on node n: give them to waiting demand, looking at n's queue, then its
     * rack's, then the cluster's, as long as something fits.
     */
    private void scheduleOn(NodeState n, OutcomeBuilder out) {
        if (n.closed() || !n.live) {
            return;
        }
        while (true) {
            Lane lane = bestLane(n.machineQueue, n);
            if (lane == null) {
                lane = bestLane(n.rackState.queue, n);
            }
            if (lane == null) {
                lane = bestLane(tree.clusterQueue, n);
            }
            if (lane == null) {
                return;
            }
            issue(lane.head, n, out);
        }
    }

    /**
     * The lane whose head should be granted on node n from this queue: highest priority first;
     * within a priority, among lanes that fit n and their group's max, the group with the lowest
     * fairness key, then the oldest head.
     */
    private Lane bestLane(DemandQueue q, NodeState n) {
        if (q == null) {
            return null;
        }
        ResourceVector free = n.free;
        List<DemandQueue.PriorityLevel> levels = q.levels;
        for (int i = 0, nl = levels.size(); i < nl; i++) {
            List<Lane> lanes = levels.get(i).lanes;
            Lane best = null;
            for (int j = 0, nj = lanes.size(); j < nj; j++) {
                Lane lane = lanes.get(j);
                if (!lane.shape.fitsIn(free)) {
                    continue;
                }
                GroupState g = lane.group;
                if (!g.allows(lane.shape)) {
                    g.block(lane);
                    continue;
                }
                if (best == null || goesBefore(lane, best)) {
                    best = lane;
                }
            }
            if (best != null) {
                return best;
            }
        }
        return null;
    }

    private boolean goesBefore(Lane a, Lane b) {
        if (a.group != b.group) {
            int c = a.group.compareKey(b.group, tree.total(), tree.version());
            if (c != 0) {
                return c < 0;
            }
        }
        return a.head.seq < b.head.seq;
    }

    /**
     * A group's usage dropped (or its max changed): lanes that its max held back may fit somewhere
     * now. Places them wherever there is room in their part of the tree, highest priority first,
     * until the max holds back every remaining shape. A lane that the max allows but that finds
     * no room leaves the blocked set: it waits for room like any other lane.
     */
    private void retryGroup(GroupState g, OutcomeBuilder out) {
        if (g.blocked.isEmpty()) {
            return;
        }
        // Room only shrinks during a retry: a shape with no room anywhere is skipped for good,
        // which makes a retry in a full cluster O(shapes) instead of O(blocked lanes).
        Set<ResourceVector> noRoom = new HashSet<>(4);
        Lane lane;
        while ((lane = g.pollAllowedBlocked(shape -> roomSomewhere(shape, noRoom))) != null) {
            while (lane.head != null) {
                if (!g.allows(lane.shape)) {
                    g.block(lane);
                    break;
                }
                NodeState n = tree.roomFor(lane);
                if (n == null) {
                    break;
                }
                issue(lane.head, n, out);
            }
        }
    }

    private boolean roomSomewhere(ResourceVector shape, Set<ResourceVector> noRoom) {
        if (noRoom.contains(shape)) {
            return false;
        }
        if (tree.roomAnywhere(shape) == null) {
            noRoom.add(shape);
            return false;
        }
        return true;
    }

    // ---------------------------------------------------------------- state changes

    /** Issues one unit of bucket b on node n. */
    private void issue(Bucket b, NodeState n, OutcomeBuilder out) {
        LocalityLevel level;
        String target;
        BucketKey key = b.key;
        if (key.level() == LocalityLevel.MACHINE && key.target().equals(n.id)) {
            level = LocalityLevel.MACHINE;
            target = n.id;
        } else if (key.level() == LocalityLevel.RACK && key.target().equals(n.rack)
                || key.level() == LocalityLevel.MACHINE && tree.sameRackAsTarget(b, n)) {
            level = LocalityLevel.RACK;
            target = n.rack;
        } else {
            level = LocalityLevel.CLUSTER;
            target = "";
        }
        UnitSpec spec = b.spec;
        Grant g = new Grant(nextId(), b.app.id, key.unit(), n.id, spec.shape(), spec.priority(),
                level, target, key.level(), key.target());
        attach(g, n, b.app);
        b.count--;
        b.app.outstanding--;
        pendingUnits--;
        if (b.count == 0) {
            tree.dequeue(b);
            b.app.buckets.remove(key);
        }
        out.granted(g);
    }

    private long nextId() {
        long id = nextGrantId++;
        if (id <= highestRestoredId) {
            while (grants.containsKey(id)) {
                id = nextGrantId++;
            }
        }
        return id;
    }

    private void attach(Grant g, NodeState n, AppState a) {
        HeldGrant h = new HeldGrant(g, n, a);
        h.link();
        grants.put(g.grantId(), h);
        n.free = n.free.minus(g.shape());
        tree.freeChanged(n);
        a.usage = a.usage.plus(g.shape());
        a.group.add(g.shape());
    }

    /** Removes a grant from every structure and returns its resources to its node. */
    private void detach(HeldGrant h) {
        ResourceVector shape = h.grant.shape();
        h.unlink();
        grants.remove(h.grant.grantId());
        NodeState n = h.node;
        n.free = n.free.plus(shape);
        tree.freeChanged(n);
        h.app.usage = h.app.usage.minus(shape);
        h.app.group.subtract(shape);
    }

    // ---------------------------------------------------------------- validation

    private AppState requireApp(String appId) {
        AppState a = apps.get(appId);
        if (a == null) {
            throw new IllegalArgumentException("unknown app " + appId);
        }
        return a;
    }

    private NodeState requireNode(String nodeId) {
        NodeState n = tree.node(nodeId);
        if (n == null) {
            throw new IllegalArgumentException("unknown node " + nodeId);
        }
        return n;
    }

    private static void requireName(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
    }
}
