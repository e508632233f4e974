package io.feitian.common.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ResourceVectorTest {

    private static ResourceVector v(long cpu, long mem, Object... named) {
        Map<String, Long> m = new HashMap<>();
        for (int i = 0; i < named.length; i += 2) {
            m.put((String) named[i], ((Number) named[i + 1]).longValue());
        }
        return ResourceVector.of(cpu, mem, m);
    }

    @Test
    void arithmeticAcrossNamedDimensions() {
        ResourceVector a = v(1000, 512, "gpu", 1);
        ResourceVector b = v(500, 256, "disk", 3);
        ResourceVector sum = a.plus(b);
        assertEquals(v(1500, 768, "gpu", 1, "disk", 3), sum);
        assertEquals(a, sum.minus(b));
        assertEquals(3, sum.get("disk"));
        assertEquals(0, sum.get("fpga"));
        assertEquals(Map.of("disk", 3L, "gpu", 1L), sum.named());
    }

    @Test
    void zeroNamedAmountsAreDroppedSoEqualityIsCanonical() {
        assertEquals(ResourceVector.of(1, 2), v(1, 2, "gpu", 0));
        assertEquals(ResourceVector.of(1, 2).hashCode(), v(1, 2, "gpu", 0).hashCode());
        ResourceVector a = v(1, 2, "gpu", 2);
        assertEquals(ResourceVector.of(1, 2), a.minus(v(0, 0, "gpu", 2)));
        assertFalse(a.minus(v(0, 0, "gpu", 2)).hasNamed());
        assertSame(ResourceVector.ZERO, a.minus(a));
        assertSame(ResourceVector.ZERO, ResourceVector.of(0, 0));
    }

    @Test
    void fitsInComparesEveryDimension() {
        ResourceVector node = v(4000, 8192, "gpu", 2);
        assertTrue(v(4000, 8192, "gpu", 2).fitsIn(node));
        assertTrue(ResourceVector.of(1000, 1024).fitsIn(node));
        assertFalse(v(1000, 1024, "gpu", 3).fitsIn(node));
        assertFalse(v(1000, 1024, "disk", 1).fitsIn(node));
        assertFalse(ResourceVector.of(4001, 1).fitsIn(node));
        assertFalse(ResourceVector.of(1, 8193).fitsIn(node));
        assertTrue(ResourceVector.ZERO.fitsIn(ResourceVector.ZERO));
        // a negative limit is not met even by zero
        ResourceVector negative = ResourceVector.ZERO.minus(v(0, 0, "gpu", 1));
        assertTrue(negative.anyNegative());
        assertFalse(ResourceVector.ZERO.fitsIn(negative));
        assertTrue(negative.fitsIn(ResourceVector.ZERO));
    }

    @Test
    void sumFitsInAgreesWithPlusThenFitsIn() {
        Random r = new Random(42);
        String[] names = {"gpu", "disk", "net"};
        for (int i = 0; i < 20_000; i++) {
            ResourceVector a = random(r, names);
            ResourceVector b = random(r, names);
            ResourceVector base = random(r, names);
            // sometimes negative somewhere
            ResourceVector limit = r.nextInt(4) == 0 ? base.minus(random(r, names)) : base;
            assertEquals(a.plus(b).fitsIn(limit), a.sumFitsIn(b, limit), () -> a + " + " + b + " in " + limit);
        }
    }

    private static ResourceVector random(Random r, String[] names) {
        Map<String, Long> m = new HashMap<>();
        for (String n : names) {
            if (r.nextBoolean()) {
                m.put(n, (long) r.nextInt(4));
            }
        }
        return ResourceVector.of(r.nextInt(4), r.nextInt(4), m);
    }

    @Test
    void zeroAndNegative() {
        assertTrue(ResourceVector.ZERO.isZero());
        assertFalse(ResourceVector.of(0, 1).isZero());
        assertFalse(v(0, 0, "gpu", 1).isZero());
        assertTrue(ResourceVector.of(1, 1).minus(ResourceVector.of(2, 0)).anyNegative());
        assertFalse(ResourceVector.of(1, 1).anyNegative());
    }

    @Test
    void dominantShare() {
        ResourceVector capacity = v(10_000, 1000, "gpu", 4);
        assertEquals(0.5, v(5000, 100, "gpu", 1).dominantShare(capacity), 1e-12);
        assertEquals(0.75, v(0, 0, "gpu", 3).dominantShare(capacity), 1e-12);
        assertEquals(0.0, ResourceVector.ZERO.dominantShare(capacity), 0);
        // zero capacity: ignored where this is zero, infinite where this is positive
        assertEquals(0.1, ResourceVector.of(1000, 0).dominantShare(ResourceVector.of(10_000, 0)), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, v(1, 1, "disk", 1).dominantShare(capacity));
    }

    @Test
    void toStringFormat() {
        assertEquals("cpu=1000m mem=512Mi gpu=1", v(1000, 512, "gpu", 1).toString());
        assertEquals("cpu=0m mem=0Mi", ResourceVector.ZERO.toString());
        assertEquals("cpu=1m mem=2Mi disk=4 gpu=3", v(1, 2, "gpu", 3, "disk", 4).toString());
    }

    @Test
    void equalsAndHashCode() {
        assertEquals(v(1, 2, "a", 1, "b", 2), v(1, 2, "b", 2, "a", 1));
        assertEquals(v(1, 2, "a", 1, "b", 2).hashCode(), v(1, 2, "b", 2, "a", 1).hashCode());
        assertNotEquals(v(1, 2, "a", 1), v(1, 2, "a", 2));
        assertNotEquals(v(1, 2, "a", 1), v(1, 2, "b", 1));
        assertNotEquals(ResourceVector.of(1, 2), ResourceVector.of(2, 1));
    }

    @Test
    void validationNamesTheDimension() {
        assertEquals("memoryMib must be >= 0, got -5",
                assertThrows(IllegalArgumentException.class, () -> ResourceVector.of(1, -5)).getMessage());
        assertEquals("cpuMillis must be >= 0, got -1",
                assertThrows(IllegalArgumentException.class, () -> ResourceVector.of(-1, 5)).getMessage());
        assertEquals("gpu must be >= 0, got -2",
                assertThrows(IllegalArgumentException.class, () -> v(1, 1, "gpu", -2)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> v(1, 1, " ", 1))
                .getMessage().contains("blank"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> v(1, 1, "g pu", 1))
                .getMessage().contains("'g pu'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> v(1, 1, "cpu", 1))
                .getMessage().contains("reserved"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ResourceVector.of(1, 1, null))
                .getMessage().contains("null"));
        Map<String, Long> nullAmount = new HashMap<>();
        nullAmount.put("gpu", null);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ResourceVector.of(1, 1, nullAmount))
                .getMessage().contains("'gpu'"));
    }

    @Test
    void namedIsACopy() {
        Map<String, Long> m = new HashMap<>(Map.of("gpu", 1L));
        ResourceVector a = ResourceVector.of(1, 1, m);
        m.put("gpu", 5L);
        assertEquals(1, a.get("gpu"));
        assertThrows(UnsupportedOperationException.class, () -> a.named().put("x", 1L));
    }
}
