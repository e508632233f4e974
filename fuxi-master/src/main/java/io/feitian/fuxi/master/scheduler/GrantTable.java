package io.feitian.fuxi.master.scheduler;

import java.util.ArrayList;
import java.util.List;

/**
 * Held grants by id: open addressing with linear probing over primitive keys. A million grants
 * in a {@code HashMap<Long, ...>} cost a boxed key and an entry object each, and two dependent
 * cache misses per lookup; here it is one probe into two arrays. Deletion shifts followers back
 * instead of leaving tombstones, so lookups stay short under constant churn.
 */
final class GrantTable {

    private long[] keys;
    private HeldGrant[] values;
    private int shift; // 64 - log2(capacity)
    private int size;

    GrantTable() {
        allocate(1 << 10);
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        values = new HeldGrant[capacity];
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
    }

    private int home(long id) {
        return (int) ((id * 0x9E3779B97F4A7C15L) >>> shift); // Fibonacci hashing: spreads sequential ids
    }

    int size() {
        return size;
    }

    HeldGrant get(long id) {
        int mask = keys.length - 1;
        for (int i = home(id); values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == id) {
                return values[i];
            }
        }
        return null;
    }

    boolean containsKey(long id) {
        return get(id) != null;
    }

    void put(long id, HeldGrant h) {
        if (2 * (size + 1) > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        int i = home(id);
        while (values[i] != null) {
            if (keys[i] == id) {
                values[i] = h;
                return;
            }
            i = (i + 1) & mask;
        }
        keys[i] = id;
        values[i] = h;
        size++;
    }

    HeldGrant remove(long id) {
        int mask = keys.length - 1;
        int i = home(id);
        while (values[i] != null && keys[i] != id) {
            i = (i + 1) & mask;
        }
        HeldGrant old = values[i];
        if (old == null) {
            return null;
        }
        // Backward-shift: move later members of the probe run into the hole when the hole lies
        // between their home slot and where they sit.
        int hole = i;
        for (int j = (i + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            if (((j - home(keys[j])) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        values[hole] = null;
        size--;
        return old;
    }

    private void grow() {
        long[] oldKeys = keys;
        HeldGrant[] oldValues = values;
        allocate(keys.length * 2);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != null) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    /** A snapshot of every held grant, in table order. */
    List<HeldGrant> values() {
        List<HeldGrant> out = new ArrayList<>(size);
        for (HeldGrant h : values) {
            if (h != null) {
                out.add(h);
            }
        }
        return out;
    }
}
