package io.feitian.bench.scheduler;

import java.util.Arrays;

/** Grant id to slot, open addressing over primitives, so the simulator's own bookkeeping stays cheap. */
final class LongIntMap {
    private static final int EMPTY = -1;

    private long[] keys = new long[1 << 12];
    private int[] values = filled(1 << 12);
    private int shift = 64 - 12;
    private int size;

    private static int[] filled(int n) {
        int[] a = new int[n];
        Arrays.fill(a, EMPTY);
        return a;
    }

    private int home(long k) {
        return (int) ((k * 0x9E3779B97F4A7C15L) >>> shift);
    }

    void put(long k, int v) {
        if (2 * (size + 1) > keys.length) {
            long[] ok = keys;
            int[] ov = values;
            keys = new long[ok.length * 2];
            values = filled(ok.length * 2);
            shift--;
            size = 0;
            for (int i = 0; i < ok.length; i++) {
                if (ov[i] != EMPTY) {
                    put(ok[i], ov[i]);
                }
            }
        }
        int mask = keys.length - 1;
        int i = home(k);
        while (values[i] != EMPTY && keys[i] != k) {
            i = (i + 1) & mask;
        }
        if (values[i] == EMPTY) {
            size++;
        }
        keys[i] = k;
        values[i] = v;
    }

    /** Removes k; returns its value or -1. */
    int remove(long k) {
        int mask = keys.length - 1;
        int i = home(k);
        while (values[i] != EMPTY && keys[i] != k) {
            i = (i + 1) & mask;
        }
        int old = values[i];
        if (old == EMPTY) {
            return EMPTY;
        }
        int hole = i;
        for (int j = (i + 1) & mask; values[j] != EMPTY; j = (j + 1) & mask) {
            if (((j - home(keys[j])) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        values[hole] = EMPTY;
        size--;
        return old;
    }
}
