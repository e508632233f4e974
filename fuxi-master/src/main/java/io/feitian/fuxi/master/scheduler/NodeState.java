package io.feitian.fuxi.master.scheduler;

import io.feitian.common.resource.ResourceVector;

/** A live node: its capacity, what is free, and the grants on it (an intrusive list). */
final class NodeState {
    final String id;
    final String rack;
    final RackState rackState;
    /** Cleared when the node is removed; a node that comes back is a new object. */
    boolean live = true;
    /** The queue of demand naming this node, or null: cached from the scheduler's map. */
    DemandQueue machineQueue;
    ResourceVector total;
    ResourceVector free;
    boolean blacklisted;
    /** Being emptied for its removal: like a blacklisting, no new grants; its grants stay. */
    boolean draining;
    int clusterSlot;
    int rackSlot;
    int totalSlot;
    HeldGrant first;
    HeldGrant last;
    int grantCount;

    NodeState(String id, RackState rack, ResourceVector total) {
        this.id = id;
        this.rack = rack.name;
        this.rackState = rack;
        this.total = total;
        this.free = total;
    }

    /** The vector the free-resource indexes should see: null when no new grant may land here. */
    ResourceVector schedulableFree() {
        return closed() ? null : free;
    }

    /** No new grant may land here: blacklisted or draining. */
    boolean closed() {
        return blacklisted || draining;
    }

    NodeStatus status() {
        return new NodeStatus(id, rack, total, free, blacklisted, draining, grantCount);
    }
}
