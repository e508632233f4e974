package io.feitian.fuxi.master.scheduler;

import io.feitian.common.resource.ResourceVector;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The locality tree: nodes, racks and the cluster, each vertex with its queue of waiting demand,
 * and the free-resource indexes that find a node with room under a vertex. Knows where things
 * are; the {@link Scheduler} decides what goes where.
 */
final class LocalityTree {

    private final Map<String, NodeState> nodes = new HashMap<>();
    private final Map<String, RackState> racks = new HashMap<>();
    /** Demand per node id, including ids not (yet) known as nodes. */
    private final Map<String, DemandQueue> machineQueues = new HashMap<>();
    final DemandQueue clusterQueue = new DemandQueue(LocalityLevel.CLUSTER, "");
    private final FreeIndex<NodeState> clusterFree = new FreeIndex<>();
    private final FreeIndex<NodeState> totals = new FreeIndex<>();
    private ResourceVector total = ResourceVector.ZERO;
    /** Bumped whenever {@link #total} changes, so cached fairness keys know to recompute. */
    private long version;

    // ---------------------------------------------------------------- nodes

    NodeState node(String id) {
        return nodes.get(id);
    }

    Collection<NodeState> nodes() {
        return nodes.values();
    }

    boolean isEmpty() {
        return nodes.isEmpty();
    }

    ResourceVector total() {
        return total;
    }

    long version() {
        return version;
    }

    NodeState addNode(String id, String rack, ResourceVector nodeTotal, boolean blacklisted, boolean draining) {
        RackState r = racks.computeIfAbsent(rack, RackState::new);
        NodeState n = new NodeState(id, r, nodeTotal);
        n.blacklisted = blacklisted;
        n.draining = draining;
        n.machineQueue = machineQueues.get(id);
        nodes.put(id, n);
        r.nodeCount++;
        n.clusterSlot = clusterFree.add(n, n.schedulableFree());
        n.rackSlot = r.free.add(n, n.schedulableFree());
        n.totalSlot = totals.add(n, nodeTotal);
        setTotal(total.plus(nodeTotal));
        joinRackQueue(n);
        return n;
    }

    /** Changes a known node's total; the caller has checked that its grants still fit. */
    void resize(NodeState n, ResourceVector newTotal) {
        ResourceVector inUse = n.total.minus(n.free);
        setTotal(total.minus(n.total).plus(newTotal));
        n.total = newTotal;
        n.free = newTotal.minus(inUse);
        totals.set(n.totalSlot, newTotal);
        freeChanged(n);
    }

    /** Removes a node that holds no grants any more. */
    void removeNode(NodeState n) {
        nodes.remove(n.id);
        n.live = false;
        clusterFree.remove(n.clusterSlot);
        totals.remove(n.totalSlot);
        RackState r = n.rackState;
        r.free.remove(n.rackSlot);
        r.nodeCount--;
        dropIfUnused(r);
        setTotal(total.minus(n.total));
    }

    /** The node's free resources, blacklisting or draining changed: update the indexes. */
    void freeChanged(NodeState n) {
        if (n.live) {
            ResourceVector v = n.schedulableFree();
            clusterFree.set(n.clusterSlot, v);
            n.rackState.free.set(n.rackSlot, v);
        }
    }

    private void setTotal(ResourceVector t) {
        total = t;
        version++;
    }

    /** True if some node's total (free or not) can hold the shape. */
    boolean anyNodeCanHold(ResourceVector shape) {
        return totals.findFirst(shape) != null;
    }

    // ---------------------------------------------------------------- finding room

    /** A schedulable node with room for the shape anywhere, or null. */
    NodeState roomAnywhere(ResourceVector shape) {
        return clusterFree.findFirst(shape);
    }

    /** A schedulable node with room for the shape in the rack, or null. */
    NodeState roomInRack(String rack, ResourceVector shape) {
        RackState r = racks.get(rack);
        return r == null ? null : r.free.findFirst(shape);
    }

    /** The node itself if it is live, schedulable and has room for the shape, else null. */
    NodeState roomOn(String nodeId, ResourceVector shape) {
        NodeState n = nodes.get(nodeId);
        return n != null && !n.closed() && shape.fitsIn(n.free) ? n : null;
    }

    /** A node with room for the lane's shape under the lane's vertex of the tree, or null. */
    NodeState roomFor(Lane lane) {
        DemandQueue q = lane.queue;
        switch (q.level) {
            case MACHINE:
                return roomOn(q.target, lane.shape);
            case RACK:
                return roomInRack(q.target, lane.shape);
            default:
                return roomAnywhere(lane.shape);
        }
    }

    /** True if the bucket's target is a known node in the same rack as n. */
    boolean sameRackAsTarget(Bucket b, NodeState n) {
        NodeState m = nodes.get(b.key.target());
        return m != null && m.rackState == n.rackState;
    }

    // ---------------------------------------------------------------- queues

    /**
     * Puts a bucket in the queue of its vertex and, if relaxed, of the vertices above it (a MACHINE
     * bucket's rack only once its node is known).
     */
    void enqueue(Bucket b) {
        BucketKey key = b.key;
        switch (key.level()) {
            case MACHINE: {
                machineQueue(key.target()).add(b);
                if (b.relax) {
                    NodeState n = nodes.get(key.target());
                    if (n != null) {
                        rackQueue(n.rackState).add(b);
                    }
                    clusterQueue.add(b);
                }
                break;
            }
            case RACK:
                rackQueue(racks.computeIfAbsent(key.target(), RackState::new)).add(b);
                if (b.relax) {
                    clusterQueue.add(b);
                }
                break;
            default:
                clusterQueue.add(b);
        }
    }

    void dequeue(Bucket b) {
        for (Lane lane : b.lanes) {
            if (lane != null) {
                DemandQueue q = lane.queue;
                q.remove(b);
                if (q.isEmpty()) {
                    dropQueue(q);
                }
            }
        }
    }

    private DemandQueue machineQueue(String nodeId) {
        DemandQueue q = machineQueues.get(nodeId);
        if (q == null) {
            q = new DemandQueue(LocalityLevel.MACHINE, nodeId);
            machineQueues.put(nodeId, q);
            NodeState n = nodes.get(nodeId);
            if (n != null) {
                n.machineQueue = q;
            }
        }
        return q;
    }

    private static DemandQueue rackQueue(RackState r) {
        if (r.queue == null) {
            r.queue = new DemandQueue(LocalityLevel.RACK, r.name);
        }
        return r.queue;
    }

    /** An emptied machine or rack queue is dropped, so ids that come and go leave nothing behind. */
    private void dropQueue(DemandQueue q) {
        if (q.level == LocalityLevel.MACHINE) {
            machineQueues.remove(q.target);
            NodeState n = nodes.get(q.target);
            if (n != null) {
                n.machineQueue = null;
            }
        } else if (q.level == LocalityLevel.RACK) {
            RackState r = racks.get(q.target);
            r.queue = null;
            dropIfUnused(r);
        }
    }

    private void dropIfUnused(RackState r) {
        if (r.nodeCount == 0 && r.queue == null) {
            racks.remove(r.name);
        }
    }

    /**
     * A node joined: relaxed MACHINE buckets that name it could not wait in a rack queue while
     * its rack was unknown (or wait in the queue of the rack it had before it left); they wait in
     * its rack's queue now.
     */
    private void joinRackQueue(NodeState n) {
        DemandQueue mq = n.machineQueue;
        if (mq == null) {
            return;
        }
        int machineIdx = LocalityLevel.MACHINE.ordinal();
        int rackIdx = LocalityLevel.RACK.ordinal();
        List<Bucket> moving = new ArrayList<>();
        for (DemandQueue.PriorityLevel pl : mq.levels) {
            for (Lane lane : pl.lanes) {
                for (Bucket b = lane.head; b != null; b = b.next[machineIdx]) {
                    Lane rl = b.lanes[rackIdx];
                    if (b.relax && (rl == null || rl.queue != n.rackState.queue)) {
                        moving.add(b);
                    }
                }
            }
        }
        for (Bucket b : moving) {
            Lane rl = b.lanes[rackIdx];
            if (rl != null) {
                DemandQueue old = rl.queue;
                old.remove(b);
                if (old.isEmpty()) {
                    dropQueue(old);
                }
            }
            rackQueue(n.rackState).add(b);
        }
    }
}
