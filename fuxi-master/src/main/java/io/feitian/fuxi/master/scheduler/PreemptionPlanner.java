package io.feitian.fuxi.master.scheduler;

import io.feitian.common.resource.ResourceVector;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans which grants to revoke so that quota groups below their guaranteed minimum can run their
 * waiting demand. Reads the scheduler's state and changes nothing.
 *
 * <p>A group is <em>needy</em> when it uses less than its minimum (dominant share of min below 1)
 * and has waiting demand. Needy groups are served lowest share first; within one, its buckets by
 * priority (highest first) then age. A waiting unit is <em>entitled</em> if the group's usage plus
 * the units already planned for it plus this unit still fits in its minimum.
 *
 * <p>Victims are considered lowest priority first, newest first, and only from groups that stay
 * at or above their minimum in every dimension after losing them. Revoking is only useful where
 * the freed resources can hold the entitled unit, so victims are pooled per node, and a unit is
 * planned on the first node, acceptable for its locality, whose free resources plus pooled
 * victims hold it; only the victims needed there are committed. Pooled victims that no unit
 * needed are not returned.
 *
 * <p>Planning does not guarantee the freed resources go to the needy group: rescheduling after the
 * revocations follows the normal order (machine queue, rack queue, cluster queue; priority; then a
 * group below its minimum before the others). The daemon calls this again on its next round.
 */
final class PreemptionPlanner {

    private static final Comparator<HeldGrant> VICTIM_ORDER = Comparator
            .comparingInt((HeldGrant h) -> h.grant.priority())
            .thenComparing(Comparator.comparingLong((HeldGrant h) -> h.grant.grantId()).reversed());

    private static final Comparator<Bucket> DEMAND_ORDER = Comparator
            .comparingInt((Bucket b) -> -b.spec.priority())
            .thenComparingLong(b -> b.seq);

    private final Collection<GroupState> groups;
    private final Collection<HeldGrant> held;

    // Planning state, all virtual.
    private final Map<GroupState, ResourceVector> takenFrom = new IdentityHashMap<>();
    private final Map<NodeState, ResourceVector> freeOf = new IdentityHashMap<>();
    private final Map<NodeState, Pool> pools = new LinkedHashMap<>();
    private final List<Grant> plan = new ArrayList<>();
    private List<HeldGrant> victims;
    private int cursor;

    private static final class Pool {
        final List<HeldGrant> grants = new ArrayList<>();
        ResourceVector amount = ResourceVector.ZERO;
    }

    PreemptionPlanner(Collection<GroupState> groups, Collection<HeldGrant> held) {
        this.groups = groups;
        this.held = held;
    }

    List<Grant> plan() {
        List<GroupState> needy = new ArrayList<>();
        for (GroupState g : groups) {
            if (GroupState.minShare(g.usage, g.quota.min()) < 1 && g.outstanding() > 0) {
                needy.add(g);
            }
        }
        if (needy.isEmpty()) {
            return List.of();
        }
        needy.sort(Comparator.comparingDouble(g -> GroupState.minShare(g.usage, g.quota.min())));
        victims = new ArrayList<>();
        for (HeldGrant h : held) {
            GroupState v = h.app.group;
            if (!needy.contains(v) && !h.node.closed() && h.node.live
                    && v.quota.min().fitsIn(v.usage.minus(h.grant.shape()))) {
                victims.add(h);
            }
        }
        if (victims.isEmpty()) {
            return List.of();
        }
        victims.sort(VICTIM_ORDER);
        for (GroupState g : needy) {
            planFor(g);
        }
        plan.sort(Comparator.comparingInt(Grant::priority)
                .thenComparing(Comparator.comparingLong(Grant::grantId).reversed()));
        return List.copyOf(plan);
    }

    private void planFor(GroupState g) {
        List<Bucket> demand = new ArrayList<>();
        for (AppState a : g.apps) {
            demand.addAll(a.buckets.values());
        }
        demand.sort(DEMAND_ORDER);
        ResourceVector usage = g.usage;
        ResourceVector min = g.quota.min();
        for (Bucket b : demand) {
            ResourceVector shape = b.spec.shape();
            for (long k = 0; k < b.count && usage.sumFitsIn(shape, min); k++) {
                NodeState n = makeRoom(b, shape);
                if (n == null) {
                    break;
                }
                usage = usage.plus(shape);
            }
        }
    }

    /** Finds or frees room for one unit of b; commits the victims and returns the node, or null. */
    private NodeState makeRoom(Bucket b, ResourceVector shape) {
        NodeState target = null;
        for (Map.Entry<NodeState, Pool> e : pools.entrySet()) {
            if (acceptable(b, e.getKey()) && shape.fitsIn(free(e.getKey()).plus(e.getValue().amount))) {
                target = e.getKey();
                break;
            }
        }
        while (target == null && cursor < victims.size()) {
            HeldGrant h = victims.get(cursor++);
            GroupState v = h.app.group;
            ResourceVector taken = takenFrom.getOrDefault(v, ResourceVector.ZERO).plus(h.grant.shape());
            if (!v.quota.min().fitsIn(v.usage.minus(taken))) {
                continue;
            }
            takenFrom.put(v, taken);
            Pool pool = pools.computeIfAbsent(h.node, n -> new Pool());
            pool.grants.add(h);
            pool.amount = pool.amount.plus(h.grant.shape());
            if (acceptable(b, h.node) && shape.fitsIn(free(h.node).plus(pool.amount))) {
                target = h.node;
            }
        }
        if (target == null) {
            return null;
        }
        Pool pool = pools.get(target);
        ResourceVector room = free(target);
        while (!shape.fitsIn(room)) {
            HeldGrant h = pool.grants.remove(0);
            pool.amount = pool.amount.minus(h.grant.shape());
            room = room.plus(h.grant.shape());
            plan.add(h.grant);
        }
        freeOf.put(target, room.minus(shape));
        return target;
    }

    private ResourceVector free(NodeState n) {
        ResourceVector f = freeOf.get(n);
        return f != null ? f : n.free;
    }

    private boolean acceptable(Bucket b, NodeState n) {
        if (n.closed()) {
            return false;
        }
        if (b.relax) {
            return true;
        }
        switch (b.key.level()) {
            case MACHINE:
                return b.key.target().equals(n.id);
            case RACK:
                return b.key.target().equals(n.rack);
            default:
                return true;
        }
    }
}
