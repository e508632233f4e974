package io.feitian.fuxi.master.scheduler;

/**
 * A rack: the index of its nodes' free resources, and its demand queue. Exists while it has
 * nodes or waiting demand.
 */
final class RackState {
    final String name;
    final FreeIndex<NodeState> free = new FreeIndex<>();
    int nodeCount;
    /** Null while no demand waits for this rack. */
    DemandQueue queue;

    RackState(String name) {
        this.name = name;
    }
}
