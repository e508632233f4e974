package io.feitian.common.resource;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable amount of resources: CPU in millicores, memory in MiB, and any number of named
 * countable resources ("gpu", "disk", ...).
 *
 * <p>The scheduler compares vectors millions of times per second, so the representation is two
 * primitive fields plus two parallel arrays of named dimensions, sorted by name. A named
 * dimension whose amount is zero is never stored, so a vector has exactly one representation and
 * {@link #equals} is a field comparison. Vectors without named dimensions share the same empty
 * arrays and compare with two {@code long} comparisons.
 *
 * <p>Factories ({@link #of}) accept only non-negative amounts. Arithmetic ({@link #minus}) may
 * produce negative amounts; {@link #anyNegative()} tells. Arithmetic does not check for overflow:
 * amounts are bounded by real machines, far below {@code Long.MAX_VALUE}.
 */
public final class ResourceVector {

    private static final String[] NO_NAMES = new String[0];
    private static final long[] NO_VALUES = new long[0];

    /** Nothing. */
    public static final ResourceVector ZERO = new ResourceVector(0, 0, NO_NAMES, NO_VALUES);

    /** Names that may not be used for named resources, because they are the built-in dimensions. */
    private static final List<String> RESERVED = List.of("cpu", "mem", "cpuMillis", "memoryMib");

    private final long cpuMillis;
    private final long memoryMib;
    private final String[] names; // sorted, no duplicates, never shared with callers
    private final long[] values;  // values[i] != 0 belongs to names[i]
    private int hash;             // 0 = not yet computed (racy single-check idiom, like String)

    private ResourceVector(long cpuMillis, long memoryMib, String[] names, long[] values) {
        this.cpuMillis = cpuMillis;
        this.memoryMib = memoryMib;
        this.names = names;
        this.values = values;
    }

    /** A vector of CPU and memory only. */
    public static ResourceVector of(long cpuMillis, long memoryMib) {
        requireNonNegative("cpuMillis", cpuMillis);
        requireNonNegative("memoryMib", memoryMib);
        if (cpuMillis == 0 && memoryMib == 0) {
            return ZERO;
        }
        return new ResourceVector(cpuMillis, memoryMib, NO_NAMES, NO_VALUES);
    }

    /**
     * A vector of CPU, memory and named resources. Named amounts of zero are dropped.
     *
     * @throws IllegalArgumentException if an amount is negative or a name is blank, contains
     *     whitespace or '=', or is a reserved name ("cpu", "mem", "cpuMillis", "memoryMib")
     */
    public static ResourceVector of(long cpuMillis, long memoryMib, Map<String, Long> named) {
        requireNonNegative("cpuMillis", cpuMillis);
        requireNonNegative("memoryMib", memoryMib);
        if (named == null) {
            throw new IllegalArgumentException("named resources must not be null (use an empty map)");
        }
        if (named.isEmpty()) {
            return of(cpuMillis, memoryMib);
        }
        TreeMap<String, Long> sorted = new TreeMap<>();
        for (Map.Entry<String, Long> e : named.entrySet()) {
            String name = e.getKey();
            validateName(name);
            Long amount = e.getValue();
            if (amount == null) {
                throw new IllegalArgumentException("named resource '" + name + "' has no amount");
            }
            requireNonNegative(name, amount);
            if (amount != 0) {
                sorted.put(name, amount);
            }
        }
        if (sorted.isEmpty()) {
            return of(cpuMillis, memoryMib);
        }
        String[] ns = new String[sorted.size()];
        long[] vs = new long[sorted.size()];
        int i = 0;
        for (Map.Entry<String, Long> e : sorted.entrySet()) {
            ns[i] = e.getKey();
            vs[i] = e.getValue();
            i++;
        }
        return new ResourceVector(cpuMillis, memoryMib, ns, vs);
    }

    private static void validateName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("named resource name must not be blank");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isWhitespace(c) || c == '=') {
                throw new IllegalArgumentException(
                        "named resource name must not contain whitespace or '=', got '" + name + "'");
            }
        }
        if (RESERVED.contains(name)) {
            throw new IllegalArgumentException(
                    "named resource name '" + name + "' is reserved for the built-in dimension");
        }
    }

    private static void requireNonNegative(String dimension, long amount) {
        if (amount < 0) {
            throw new IllegalArgumentException(dimension + " must be >= 0, got " + amount);
        }
    }

    public long cpuMillis() {
        return cpuMillis;
    }

    public long memoryMib() {
        return memoryMib;
    }

    /** The amount of a named resource; zero if absent. */
    public long get(String name) {
        int i = Arrays.binarySearch(names, name);
        return i >= 0 ? values[i] : 0;
    }

    /** The named resources with non-zero amounts, sorted by name. */
    public Map<String, Long> named() {
        if (names.length == 0) {
            return Collections.emptyMap();
        }
        TreeMap<String, Long> m = new TreeMap<>();
        for (int i = 0; i < names.length; i++) {
            m.put(names[i], values[i]);
        }
        return Collections.unmodifiableMap(m);
    }

    public boolean hasNamed() {
        return names.length != 0;
    }

    public ResourceVector plus(ResourceVector o) {
        return combine(o, 1);
    }

    public ResourceVector minus(ResourceVector o) {
        return combine(o, -1);
    }

    private ResourceVector combine(ResourceVector o, long sign) {
        long cpu = cpuMillis + sign * o.cpuMillis;
        long mem = memoryMib + sign * o.memoryMib;
        if (o.names.length == 0) {
            if (names.length == 0 && cpu == 0 && mem == 0) {
                return ZERO;
            }
            return new ResourceVector(cpu, mem, names, values);
        }
        // Merge two sorted name lists; drop dimensions that cancel to zero.
        String[] ns = new String[names.length + o.names.length];
        long[] vs = new long[ns.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < names.length || j < o.names.length) {
            int c = i == names.length ? 1 : j == o.names.length ? -1 : names[i].compareTo(o.names[j]);
            String name;
            long v;
            if (c < 0) {
                name = names[i];
                v = values[i++];
            } else if (c > 0) {
                name = o.names[j];
                v = sign * o.values[j++];
            } else {
                name = names[i];
                v = values[i++] + sign * o.values[j++];
            }
            if (v != 0) {
                ns[n] = name;
                vs[n++] = v;
            }
        }
        if (n == 0) {
            return cpu == 0 && mem == 0 ? ZERO : new ResourceVector(cpu, mem, NO_NAMES, NO_VALUES);
        }
        if (n < ns.length) {
            ns = Arrays.copyOf(ns, n);
            vs = Arrays.copyOf(vs, n);
        }
        return new ResourceVector(cpu, mem, ns, vs);
    }

    /** True if every dimension of this vector is {@code <=} the same dimension of {@code limit}. */
    public boolean fitsIn(ResourceVector limit) {
        if (cpuMillis > limit.cpuMillis || memoryMib > limit.memoryMib) {
            return false;
        }
        if (names.length == 0 && limit.names.length == 0) {
            return true;
        }
        return namedFit(this, null, limit);
    }

    /**
     * True if {@code this + added} fits in {@code limit}, computed without allocating. The
     * scheduler asks this for every quota check.
     */
    public boolean sumFitsIn(ResourceVector added, ResourceVector limit) {
        if (cpuMillis + added.cpuMillis > limit.cpuMillis
                || memoryMib + added.memoryMib > limit.memoryMib) {
            return false;
        }
        if (names.length == 0 && added.names.length == 0 && limit.names.length == 0) {
            return true;
        }
        return namedFit(this, added, limit);
    }

    /** Named dimensions of {@code a (+ b)} all {@code <=} those of {@code limit}. */
    private static boolean namedFit(ResourceVector a, ResourceVector b, ResourceVector limit) {
        // Every name present in a, b or limit must satisfy a+b <= limit; names only in limit
        // (a+b = 0 there) fail only if the limit is negative.
        String[] ln = limit.names;
        long[] lv = limit.values;
        for (int k = 0; k < ln.length; k++) {
            if (lv[k] < 0 && a.get(ln[k]) + (b == null ? 0 : b.get(ln[k])) > lv[k]) {
                return false;
            }
        }
        for (int k = 0; k < a.names.length; k++) {
            String name = a.names[k];
            long sum = a.values[k] + (b == null ? 0 : b.get(name));
            if (sum > limit.get(name)) {
                return false;
            }
        }
        if (b != null) {
            for (int k = 0; k < b.names.length; k++) {
                String name = b.names[k];
                if (Arrays.binarySearch(a.names, name) >= 0) {
                    continue; // checked above
                }
                if (b.values[k] > limit.get(name)) {
                    return false;
                }
            }
        }
        return true;
    }

    public boolean isZero() {
        return cpuMillis == 0 && memoryMib == 0 && names.length == 0;
    }

    public boolean anyNegative() {
        if (cpuMillis < 0 || memoryMib < 0) {
            return true;
        }
        for (long v : values) {
            if (v < 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * The largest ratio, over all dimensions, of this amount to {@code capacity}'s. A dimension
     * where the capacity is zero is ignored if this amount is zero or less there, and makes the
     * share {@link Double#POSITIVE_INFINITY} if this amount is positive there. Zero for
     * {@link #ZERO}.
     */
    public double dominantShare(ResourceVector capacity) {
        double share = 0;
        share = Math.max(share, ratio(cpuMillis, capacity.cpuMillis));
        share = Math.max(share, ratio(memoryMib, capacity.memoryMib));
        for (int k = 0; k < names.length; k++) {
            share = Math.max(share, ratio(values[k], capacity.get(names[k])));
        }
        return share;
    }

    private static double ratio(long amount, long capacity) {
        if (capacity <= 0) {
            return amount > 0 ? Double.POSITIVE_INFINITY : 0;
        }
        return (double) amount / capacity;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ResourceVector)) {
            return false;
        }
        ResourceVector v = (ResourceVector) o;
        return cpuMillis == v.cpuMillis
                && memoryMib == v.memoryMib
                && Arrays.equals(values, v.values)
                && Arrays.equals(names, v.names);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = Long.hashCode(cpuMillis);
            h = 31 * h + Long.hashCode(memoryMib);
            h = 31 * h + Arrays.hashCode(names);
            h = 31 * h + Arrays.hashCode(values);
            if (h == 0) {
                h = 1;
            }
            hash = h;
        }
        return h;
    }

    /** For example {@code cpu=1000m mem=512Mi gpu=1}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(32);
        sb.append("cpu=").append(cpuMillis).append("m mem=").append(memoryMib).append("Mi");
        for (int k = 0; k < names.length; k++) {
            sb.append(' ').append(names[k]).append('=').append(values[k]);
        }
        return sb.toString();
    }
}
