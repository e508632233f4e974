package io.feitian.fuxi.master.scheduler;

import io.feitian.common.resource.ResourceVector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Finds an item (a node) whose vector (free or total resources) holds a shape, without scanning
 * every item.
 *
 * <p>A segment tree over slots: every tree node keeps, for every dimension, the largest amount
 * among the leaves below it. A search descends only into subtrees whose maxima all reach the
 * shape, and returns the leftmost fitting slot (first fit, which packs work onto low slots and
 * keeps other nodes whole for large shapes). Maxima of different dimensions may come from
 * different leaves, so a search can backtrack, but a subtree whose maximum is short in any
 * dimension is never entered; when nothing fits anywhere the root answers in O(1). Updates are
 * O(d log n), and stop early when a maximum does not change.
 *
 * <p>Dimensions are CPU, memory, and every named resource seen so far in an indexed vector.
 * Absent or unschedulable slots hold -1 in every dimension, below any shape.
 */
final class FreeIndex<T> {

    private final List<String> names = new ArrayList<>(); // named dimensions, in discovery order
    private int dims = 2;
    private int cap;                 // number of leaves, a power of two
    private int used;                // slots ever handed out (high-water mark)
    private Object[] items;
    private ResourceVector[] leaves; // null = absent or unschedulable
    private long[] max;              // max[(treeNode * dims) + d], tree nodes 1..2*cap-1
    private int[] freeSlots = new int[8];
    private int freeCount;
    private final long[] need = new long[64];

    FreeIndex() {
        allocate(16);
    }

    private void allocate(int newCap) {
        cap = newCap;
        Object[] oldItems = items;
        ResourceVector[] oldLeaves = leaves;
        items = new Object[cap];
        leaves = new ResourceVector[cap];
        max = new long[2 * cap * dims];
        Arrays.fill(max, -1);
        if (oldItems != null) {
            System.arraycopy(oldItems, 0, items, 0, oldItems.length);
            System.arraycopy(oldLeaves, 0, leaves, 0, oldLeaves.length);
            for (int s = 0; s < used; s++) {
                writeLeaf(s, leaves[s]);
            }
            for (int i = cap - 1; i >= 1; i--) {
                pull(i);
            }
        }
    }

    /** Adds an item; returns its slot. {@code v == null} adds it as unschedulable. */
    int add(T item, ResourceVector v) {
        int slot;
        if (freeCount > 0) {
            slot = freeSlots[--freeCount];
        } else {
            if (used == cap) {
                allocate(cap * 2);
            }
            slot = used++;
        }
        items[slot] = item;
        set(slot, v);
        return slot;
    }

    void remove(int slot) {
        set(slot, null);
        items[slot] = null;
        if (freeCount == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, freeCount * 2);
        }
        freeSlots[freeCount++] = slot;
    }

    /** Sets the vector of a slot; {@code null} makes it unschedulable. */
    void set(int slot, ResourceVector v) {
        if (v != null && v.hasNamed() && registerNames(v)) {
            allocate(cap); // a new dimension: rebuild with one more column
        }
        leaves[slot] = v;
        writeLeaf(slot, v);
        for (int i = (slot + cap) >> 1; i >= 1; i >>= 1) {
            if (!pull(i)) {
                break;
            }
        }
    }

    private boolean registerNames(ResourceVector v) {
        boolean added = false;
        for (String name : v.named().keySet()) {
            if (!names.contains(name)) {
                if (2 + names.size() == need.length) {
                    throw new IllegalStateException("too many named resource dimensions (" + need.length + ")");
                }
                names.add(name);
                added = true;
            }
        }
        if (added) {
            dims = 2 + names.size();
        }
        return added;
    }

    private void writeLeaf(int slot, ResourceVector v) {
        int base = (slot + cap) * dims;
        if (v == null) {
            Arrays.fill(max, base, base + dims, -1);
            return;
        }
        max[base] = v.cpuMillis();
        max[base + 1] = v.memoryMib();
        for (int d = 2; d < dims; d++) {
            max[base + d] = v.get(names.get(d - 2));
        }
    }

    /** Recomputes tree node i from its children; false if nothing changed. */
    private boolean pull(int i) {
        int base = i * dims;
        int l = 2 * i * dims;
        int r = l + dims;
        boolean changed = false;
        for (int d = 0; d < dims; d++) {
            long m = Math.max(max[l + d], max[r + d]);
            if (max[base + d] != m) {
                max[base + d] = m;
                changed = true;
            }
        }
        return changed;
    }

    /** The leftmost item whose vector holds {@code shape}, or null. */
    @SuppressWarnings("unchecked")
    T findFirst(ResourceVector shape) {
        need[0] = shape.cpuMillis();
        need[1] = shape.memoryMib();
        if (shape.hasNamed()) {
            for (Map.Entry<String, Long> e : shape.named().entrySet()) {
                if (!names.contains(e.getKey())) {
                    return null; // no indexed vector has this resource at all
                }
            }
            for (int d = 2; d < dims; d++) {
                need[d] = shape.get(names.get(d - 2));
            }
        } else {
            for (int d = 2; d < dims; d++) {
                need[d] = 0;
            }
        }
        int slot = search(1, shape);
        return slot < 0 ? null : (T) items[slot];
    }

    private int search(int i, ResourceVector shape) {
        int base = i * dims;
        for (int d = 0; d < dims; d++) {
            if (max[base + d] < need[d]) {
                return -1;
            }
        }
        if (i >= cap) {
            int slot = i - cap;
            ResourceVector v = leaves[slot];
            return v != null && shape.fitsIn(v) ? slot : -1;
        }
        int found = search(2 * i, shape);
        return found >= 0 ? found : search(2 * i + 1, shape);
    }

    boolean isEmpty() {
        return used == freeCount;
    }
}
