package io.feitian.fuxi.master.scheduler;

import io.feitian.common.resource.ResourceVector;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** A quota group's live state: usage, members, waiting lanes, and its cached fairness key. */
final class GroupState {
    QuotaGroup quota;
    ResourceVector usage = ResourceVector.ZERO;
    final Set<AppState> apps = new LinkedHashSet<>();
    /** Lanes of one shape and priority held back by the max, oldest first (intrusive list). */
    static final class BlockedLanes {
        Lane head;
        Lane tail;
    }

    /**
     * Lanes that were refused somewhere only because of {@code max}, by shape, then by priority
     * (highest first). When usage drops the scheduler retries these, and only these: a lane that
     * never hit the max waits only for room, which node-level rescheduling handles. All lanes of
     * one shape are allowed or refused by the max together.
     */
    final Map<ResourceVector, TreeMap<Integer, BlockedLanes>> blocked = new LinkedHashMap<>(4);

    // Fairness key: (tier, share), lower goes first. Recomputed lazily.
    private int tier;
    private double share;
    private boolean keyDirty = true;
    private long keyClusterVersion = -1;

    GroupState(QuotaGroup quota) {
        this.quota = quota;
    }

    boolean allows(ResourceVector shape) {
        ResourceVector max = quota.max();
        return max == null || usage.sumFitsIn(shape, max);
    }

    void block(Lane lane) {
        if (lane.blocked) {
            return;
        }
        lane.blocked = true;
        TreeMap<Integer, BlockedLanes> byPriority = blocked.get(lane.shape);
        if (byPriority == null) {
            byPriority = new TreeMap<>(Collections.reverseOrder());
            blocked.put(lane.shape, byPriority);
        }
        BlockedLanes list = byPriority.get(lane.priority);
        if (list == null) {
            list = new BlockedLanes();
            byPriority.put(lane.priority, list);
        }
        lane.blockedPrev = list.tail;
        if (list.tail == null) {
            list.head = lane;
        } else {
            list.tail.blockedNext = lane;
        }
        list.tail = lane;
    }

    void unblock(Lane lane) {
        if (!lane.blocked) {
            return;
        }
        lane.blocked = false;
        TreeMap<Integer, BlockedLanes> byPriority = blocked.get(lane.shape);
        BlockedLanes list = byPriority.get(lane.priority);
        if (lane.blockedPrev == null) {
            list.head = lane.blockedNext;
        } else {
            lane.blockedPrev.blockedNext = lane.blockedNext;
        }
        if (lane.blockedNext == null) {
            list.tail = lane.blockedPrev;
        } else {
            lane.blockedNext.blockedPrev = lane.blockedPrev;
        }
        lane.blockedPrev = null;
        lane.blockedNext = null;
        if (list.head == null) {
            byPriority.remove(lane.priority);
            if (byPriority.isEmpty()) {
                blocked.remove(lane.shape);
            }
        }
    }

    /**
     * The highest-priority blocked lane among shapes the max allows now and {@code hasRoom}
     * accepts, removed from the blocked set; null if none.
     */
    Lane pollAllowedBlocked(java.util.function.Predicate<ResourceVector> hasRoom) {
        Lane best = null;
        for (Map.Entry<ResourceVector, TreeMap<Integer, BlockedLanes>> e : blocked.entrySet()) {
            if (!allows(e.getKey())) {
                continue;
            }
            Map.Entry<Integer, BlockedLanes> top = e.getValue().firstEntry();
            if ((best == null || top.getKey() > best.priority) && hasRoom.test(e.getKey())) {
                best = top.getValue().head;
            }
        }
        if (best != null) {
            unblock(best);
        }
        return best;
    }

    boolean anyBlockedShapeAllowed() {
        for (ResourceVector s : blocked.keySet()) {
            if (allows(s)) {
                return true;
            }
        }
        return false;
    }

    void add(ResourceVector shape) {
        usage = usage.plus(shape);
        keyDirty = true;
    }

    void subtract(ResourceVector shape) {
        usage = usage.minus(shape);
        keyDirty = true;
    }

    void setQuota(QuotaGroup q) {
        quota = q;
        keyDirty = true;
    }

    /**
     * Compares fairness keys: groups below their guaranteed minimum first, by how much of it they
     * use; then the others by their dominant share of the cluster above their minimum, divided by
     * their weight. Negative if this group goes first.
     */
    int compareKey(GroupState o, ResourceVector clusterTotal, long clusterVersion) {
        refreshKey(clusterTotal, clusterVersion);
        o.refreshKey(clusterTotal, clusterVersion);
        if (tier != o.tier) {
            return tier < o.tier ? -1 : 1;
        }
        return Double.compare(share, o.share);
    }

    int tier(ResourceVector clusterTotal, long clusterVersion) {
        refreshKey(clusterTotal, clusterVersion);
        return tier;
    }

    double share(ResourceVector clusterTotal, long clusterVersion) {
        refreshKey(clusterTotal, clusterVersion);
        return share;
    }

    private void refreshKey(ResourceVector clusterTotal, long clusterVersion) {
        if (!keyDirty && keyClusterVersion == clusterVersion) {
            return;
        }
        double minShare = minShare(usage, quota.min());
        if (minShare < 1) {
            tier = 0;
            share = minShare;
        } else {
            tier = 1;
            share = spareShare(usage, quota.min(), clusterTotal) / quota.weight();
        }
        keyDirty = false;
        keyClusterVersion = clusterVersion;
    }

    /**
     * usage / min by dominant share over the dimensions where min is positive;
     * {@code +inf} when min is zero everywhere (nothing is guaranteed).
     */
    static double minShare(ResourceVector usage, ResourceVector min) {
        double s = 0;
        boolean any = false;
        if (min.cpuMillis() > 0) {
            any = true;
            s = Math.max(s, (double) usage.cpuMillis() / min.cpuMillis());
        }
        if (min.memoryMib() > 0) {
            any = true;
            s = Math.max(s, (double) usage.memoryMib() / min.memoryMib());
        }
        for (Map.Entry<String, Long> e : min.named().entrySet()) {
            any = true;
            s = Math.max(s, (double) usage.get(e.getKey()) / e.getValue());
        }
        return any ? s : Double.POSITIVE_INFINITY;
    }

    /** Dominant share of the cluster of what the group uses beyond its minimum (per dimension, at least 0). */
    static double spareShare(ResourceVector usage, ResourceVector min, ResourceVector clusterTotal) {
        double s = ratio(usage.cpuMillis() - min.cpuMillis(), clusterTotal.cpuMillis());
        s = Math.max(s, ratio(usage.memoryMib() - min.memoryMib(), clusterTotal.memoryMib()));
        for (Map.Entry<String, Long> e : usage.named().entrySet()) {
            s = Math.max(s, ratio(e.getValue() - min.get(e.getKey()), clusterTotal.get(e.getKey())));
        }
        return s;
    }

    private static double ratio(long above, long capacity) {
        if (above <= 0) {
            return 0;
        }
        return capacity <= 0 ? Double.POSITIVE_INFINITY : (double) above / capacity;
    }

    long outstanding() {
        long n = 0;
        for (AppState a : apps) {
            n += a.outstanding;
        }
        return n;
    }

    GroupStatus status() {
        return new GroupStatus(quota, usage, apps.size(), outstanding());
    }
}
