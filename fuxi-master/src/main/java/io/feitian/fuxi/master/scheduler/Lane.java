package io.feitian.fuxi.master.scheduler;

import io.feitian.common.resource.ResourceVector;

/**
 * The buckets of one queue that share a priority, a quota group and a shape, oldest first.
 *
 * <p>Everything that decides whether a bucket can be placed on a node (the shape against the
 * node's free resources, the shape against the group's max) is the same for every bucket of a
 * lane, so the scheduler only ever looks at the head: if the head does not fit, nothing in the
 * lane does. That makes a decision cost proportional to the number of lanes, not of buckets.
 */
final class Lane {
    final DemandQueue queue;
    final GroupState group;
    final ResourceVector shape;
    final int priority;
    private final int k; // which of the bucket's link pairs this lane uses
    Bucket head;
    Bucket tail;
    /** In its group's lists of lanes held back by the group's max. */
    boolean blocked;
    Lane blockedPrev;
    Lane blockedNext;

    Lane(DemandQueue queue, GroupState group, ResourceVector shape, int priority) {
        this.queue = queue;
        this.group = group;
        this.shape = shape;
        this.priority = priority;
        this.k = queue.level.ordinal();
    }

    /** Inserts in seq order; a new bucket is always the newest, so this is O(1) but for rare moves. */
    void add(Bucket b) {
        Bucket after = tail;
        while (after != null && after.seq > b.seq) {
            after = after.prev[k];
        }
        Bucket before = after == null ? head : after.next[k];
        b.prev[k] = after;
        b.next[k] = before;
        if (after == null) {
            head = b;
        } else {
            after.next[k] = b;
        }
        if (before == null) {
            tail = b;
        } else {
            before.prev[k] = b;
        }
        b.lanes[k] = this;
    }

    void remove(Bucket b) {
        Bucket p = b.prev[k];
        Bucket n = b.next[k];
        if (p == null) {
            head = n;
        } else {
            p.next[k] = n;
        }
        if (n == null) {
            tail = p;
        } else {
            n.prev[k] = p;
        }
        b.prev[k] = null;
        b.next[k] = null;
        b.lanes[k] = null;
    }

    boolean isEmpty() {
        return head == null;
    }
}
