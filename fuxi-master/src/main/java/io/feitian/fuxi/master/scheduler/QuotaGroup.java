package io.feitian.fuxi.master.scheduler;

import io.feitian.common.resource.ResourceVector;

/**
 * A quota group: the applications in it share a guaranteed minimum, an upper bound, and a weight
 * for dividing what is left over.
 *
 * @param min guaranteed resources: while the group uses less (by dominant share of {@code min})
 *     its demand goes before other groups' at the same priority, and {@code planPreemption} may
 *     revoke other groups' grants so that its waiting demand fits within {@code min}
 * @param max the group never holds more; {@code null} (a {@link ResourceVector#ZERO} argument is
 *     stored as {@code null}) means unlimited
 * @param weight share of the spare (usage above {@code min}) relative to other groups; {@code > 0}
 */
public record QuotaGroup(String name, ResourceVector min, ResourceVector max, double weight) {

    /** The group every cluster has: no minimum, no maximum, weight 1. */
    public static final String DEFAULT = "default";

    public QuotaGroup {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("quota group name must not be blank");
        }
        if (min == null) {
            throw new IllegalArgumentException("quota group " + name + ": min must not be null (use ZERO)");
        }
        if (min.anyNegative()) {
            throw new IllegalArgumentException("quota group " + name + ": min must not be negative, got " + min);
        }
        if (max != null && max.isZero()) {
            max = null;
        }
        if (max != null && max.anyNegative()) {
            throw new IllegalArgumentException("quota group " + name + ": max must not be negative, got " + max);
        }
        if (max != null && !min.fitsIn(max)) {
            throw new IllegalArgumentException(
                    "quota group " + name + ": min (" + min + ") must fit in max (" + max + ")");
        }
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("quota group " + name + ": weight must be > 0 and finite, got " + weight);
        }
    }

    /** A group with no minimum and no maximum. */
    public static QuotaGroup unlimited(String name, double weight) {
        return new QuotaGroup(name, ResourceVector.ZERO, null, weight);
    }

    public boolean hasMax() {
        return max != null;
    }
}
