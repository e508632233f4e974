package io.feitian.fuxi.master.scheduler;

import static io.feitian.fuxi.master.scheduler.Fixtures.TWO_UNITS;
import static io.feitian.fuxi.master.scheduler.Fixtures.UNIT;
import static io.feitian.fuxi.master.scheduler.Fixtures.units;
import static io.feitian.fuxi.master.scheduler.LocalityLevel.CLUSTER;
import static io.feitian.fuxi.master.scheduler.LocalityLevel.MACHINE;
import static io.feitian.fuxi.master.scheduler.LocalityLevel.RACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.feitian.common.resource.ResourceVector;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every kind of bad call: the exception type, a message naming the field, and no state change. */
class ValidationTest {

    private Scheduler s;

    @BeforeEach
    void setUp() {
        s = Fixtures.cluster(1, 2, TWO_UNITS);
        s.setQuota(new QuotaGroup("g", UNIT, units(2), 1));
        s.addApp("a", "g");
        s.request("a", "u", UNIT, 1, CLUSTER, "", 3, false);
        s.request("a", "m", UNIT, 1, MACHINE, "r0n0", 1, false);
        s.blacklist("r0n1");
    }

    private <T extends Throwable> void rejects(Class<T> type, String message, Executable call) {
        Fixtures.Snapshot before = Fixtures.snapshot(s);
        T e = assertThrows(type, call);
        assertEquals(message, e.getMessage());
        Fixtures.assertUnchanged(before, s);
    }

    @Test
    void requestFromAnUnknownApp() {
        rejects(IllegalArgumentException.class, "unknown app nope",
                () -> s.request("nope", "u", UNIT, 1, CLUSTER, "", 1, false));
    }

    @Test
    void blankUnit() {
        rejects(IllegalArgumentException.class, "unit must not be blank",
                () -> s.request("a", " ", UNIT, 1, CLUSTER, "", 1, false));
    }

    @Test
    void zeroShape() {
        rejects(IllegalArgumentException.class,
                "shape of unit v must be positive in some dimension and negative in none, got cpu=0m mem=0Mi",
                () -> s.request("a", "v", ResourceVector.ZERO, 1, CLUSTER, "", 1, false));
    }

    @Test
    void negativeShape() {
        rejects(IllegalArgumentException.class,
                "shape of unit v must be positive in some dimension and negative in none, got cpu=1000m mem=-1Mi",
                () -> s.request("a", "v", UNIT.minus(ResourceVector.of(0, 1025)), 1, CLUSTER, "", 1, false));
    }

    @Test
    void shapeLargerThanAnyNode() {
        rejects(IllegalArgumentException.class, "shape cpu=3000m mem=3072Mi of unit v exceeds the largest node",
                () -> s.request("a", "v", units(3), 1, CLUSTER, "", 1, false));
        // a named resource no node has
        rejects(IllegalArgumentException.class, "shape cpu=1000m mem=1024Mi gpu=1 of unit v exceeds the largest node",
                () -> s.request("a", "v", ResourceVector.of(1000, 1024, Map.of("gpu", 1L)), 1, CLUSTER, "", 1, false));
    }

    @Test
    void shapeOrPriorityDifferentFromTheUnits() {
        rejects(IllegalArgumentException.class, "unit u of app a already has shape cpu=1000m mem=1024Mi priority 1;"
                        + " got shape cpu=2000m mem=2048Mi priority 1",
                () -> s.request("a", "u", TWO_UNITS, 1, CLUSTER, "", 1, false));
        rejects(IllegalArgumentException.class, "unit u of app a already has shape cpu=1000m mem=1024Mi priority 1;"
                        + " got shape cpu=1000m mem=1024Mi priority 2",
                () -> s.request("a", "u", UNIT, 2, RACK, "r0", 1, false));
    }

    @Test
    void targetMustMatchTheLevel() {
        rejects(IllegalArgumentException.class, "target must name a node for level MACHINE",
                () -> s.request("a", "u", UNIT, 1, MACHINE, "", 1, false));
        rejects(IllegalArgumentException.class, "target must name a rack for level RACK",
                () -> s.request("a", "u", UNIT, 1, RACK, null, 1, false));
        rejects(IllegalArgumentException.class, "target must be empty for level CLUSTER, got 'r0n0'",
                () -> s.request("a", "u", UNIT, 1, CLUSTER, "r0n0", 1, false));
        rejects(IllegalArgumentException.class, "level of unit u must not be null",
                () -> s.request("a", "u", UNIT, 1, null, "", 1, false));
    }

    @Test
    void zeroDeltaAndOverWithdrawalAreHarmless() {
        Fixtures.Snapshot before = Fixtures.snapshot(s);
        assertEquals(Outcome.NONE, s.request("a", "u", UNIT, 1, CLUSTER, "", 0, false));
        Fixtures.assertUnchanged(before, s);
        assertEquals(Outcome.NONE, s.request("a", "u", UNIT, 1, RACK, "r0", -5, false)); // no such bucket
        Fixtures.assertUnchanged(before, s);
        long pending = s.pendingUnits();
        assertEquals(Outcome.NONE, s.request("a", "m", UNIT, 1, MACHINE, "r0n0", -100, false));
        assertEquals(pending - 1, s.pendingUnits());
    }

    @Test
    void nodes() {
        rejects(IllegalArgumentException.class, "nodeId must not be blank", () -> s.addNode("", "r0", UNIT));
        rejects(IllegalArgumentException.class, "rack must not be blank", () -> s.addNode("x", null, UNIT));
        rejects(IllegalArgumentException.class, "total of node x must not be null", () -> s.addNode("x", "r0", null));
        rejects(IllegalArgumentException.class, "total of node x must not be negative, got cpu=-1000m mem=-1024Mi",
                () -> s.addNode("x", "r0", ResourceVector.ZERO.minus(UNIT)));
        rejects(IllegalArgumentException.class, "node r0n0 is in rack r0, not r1; remove it before moving it",
                () -> s.addNode("r0n0", "r1", TWO_UNITS));
        rejects(IllegalArgumentException.class, "unknown node x", () -> s.removeNode("x"));
        rejects(IllegalArgumentException.class, "unknown node x", () -> s.grantsOn("x"));
        rejects(IllegalArgumentException.class, "nodeId must not be blank", () -> s.blacklist(" "));
    }

    @Test
    void apps() {
        rejects(IllegalArgumentException.class, "quota group nope does not exist (app b)", () -> s.addApp("b", "nope"));
        rejects(IllegalArgumentException.class, "app a already exists in quota group g", () -> s.addApp("a", "default"));
        rejects(IllegalArgumentException.class, "appId must not be blank", () -> s.addApp("", "g"));
        rejects(IllegalArgumentException.class, "unknown app b", () -> s.removeApp("b"));
        rejects(IllegalArgumentException.class, "unknown app b", () -> s.grantsOf("b"));
        rejects(IllegalArgumentException.class, "unknown app b", () -> s.demandOf("b"));
        // re-adding in the same group is a no-op
        Fixtures.Snapshot before = Fixtures.snapshot(s);
        s.addApp("a", "g");
        Fixtures.assertUnchanged(before, s);
    }

    @Test
    void quotaGroups() {
        rejects(IllegalStateException.class, "quota group g is used by 1 application(s), e.g. a", () -> s.removeQuota("g"));
        rejects(IllegalArgumentException.class, "quota group default cannot be removed", () -> s.removeQuota("default"));
        rejects(IllegalArgumentException.class, "unknown quota group nope", () -> s.removeQuota("nope"));
        rejects(IllegalArgumentException.class, "quota group must not be null", () -> s.setQuota(null));
        assertEquals("quota group q: min (cpu=2000m mem=2048Mi) must fit in max (cpu=1000m mem=1024Mi)",
                assertThrows(IllegalArgumentException.class, () -> new QuotaGroup("q", TWO_UNITS, UNIT, 1)).getMessage());
        assertEquals("quota group q: weight must be > 0 and finite, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> QuotaGroup.unlimited("q", 0)).getMessage());
        assertEquals("quota group q: weight must be > 0 and finite, got NaN",
                assertThrows(IllegalArgumentException.class, () -> QuotaGroup.unlimited("q", Double.NaN)).getMessage());
        assertEquals("quota group name must not be blank",
                assertThrows(IllegalArgumentException.class, () -> QuotaGroup.unlimited(" ", 1)).getMessage());
        assertEquals("quota group q: min must not be null (use ZERO)",
                assertThrows(IllegalArgumentException.class, () -> new QuotaGroup("q", null, null, 1)).getMessage());
    }

    @Test
    void anUnusedGroupCanBeRemovedAndMaxZeroMeansUnlimited() {
        s.setQuota(new QuotaGroup("free", ResourceVector.ZERO, ResourceVector.ZERO, 1));
        assertEquals(null, s.group("free").orElseThrow().quota().max());
        s.removeQuota("free");
        assertEquals(java.util.Optional.empty(), s.group("free"));
    }
}
