package io.feitian.fuxi.master.scheduler;

import static io.feitian.fuxi.master.scheduler.Fixtures.TWO_UNITS;
import static io.feitian.fuxi.master.scheduler.Fixtures.UNIT;
import static io.feitian.fuxi.master.scheduler.Fixtures.appsOf;
import static io.feitian.fuxi.master.scheduler.Fixtures.held;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.feitian.common.resource.ResourceVector;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Freed resources (release, revoke, removeApp) are rescheduled in the same call. */
class ReleaseRevokeTest {

    private static Scheduler fullWithWaiter() {
        Scheduler s = Fixtures.cluster(1, 2, TWO_UNITS);
        s.addApp("a", "default");
        s.addApp("w", "default");
        Fixtures.askAnywhere(s, "a", 4, 0);
        Fixtures.askAnywhere(s, "w", 3, 0);
        return s;
    }

    @Test
    void releaseReturnsTheGrantAndReschedulesItsResources() {
        Scheduler s = fullWithWaiter();
        Grant g = s.grantsOf("a").get(0);
        Outcome o = s.release(g.grantId());
        assertEquals(List.of(g), o.released());
        assertEquals(List.of("w"), appsOf(o.granted()));
        assertEquals(g.nodeId(), o.granted().get(0).nodeId());
        assertTrue(s.grant(g.grantId()).isEmpty());
        assertEquals(2, s.pendingUnits());
    }

    @Test
    void revokeHasTheSameEffect() {
        Scheduler s = fullWithWaiter();
        Grant g = s.grantsOf("a").get(1);
        Outcome o = s.revoke(g.grantId());
        assertEquals(List.of(g), o.released());
        assertEquals(List.of("w"), appsOf(o.granted()));
        assertEquals(3, held(s, "a"));
    }

    @Test
    void releasingAnUnknownOrAlreadyReleasedGrantFails() {
        Scheduler s = fullWithWaiter();
        long id = s.grantsOf("a").get(0).grantId();
        s.release(id);
        Fixtures.Snapshot before = Fixtures.snapshot(s);
        assertEquals("unknown grant " + id,
                assertThrows(IllegalArgumentException.class, () -> s.release(id)).getMessage());
        assertEquals("unknown grant 999",
                assertThrows(IllegalArgumentException.class, () -> s.revoke(999)).getMessage());
        Fixtures.assertUnchanged(before, s);
    }

    @Test
    void removeAppReturnsItsGrantsAndReschedulesThem() {
        Scheduler s = fullWithWaiter();
        List<Grant> held = s.grantsOf("a");
        Outcome o = s.removeApp("a");
        assertEquals(held, o.released());
        assertEquals(List.of("w", "w", "w"), appsOf(o.granted()));
        assertTrue(s.app("a").isEmpty());
        assertEquals(0, s.pendingUnits());
        assertEquals(TWO_UNITS.minus(UNIT), s.nodes().get(1).free());
    }

    @Test
    void removeAppDropsItsDemand() {
        Scheduler s = fullWithWaiter();
        Outcome o = s.removeApp("w");
        assertEquals(Outcome.NONE, o);
        assertEquals(0, s.pendingUnits());
        // nothing of w is scheduled later
        assertTrue(s.release(s.grantsOf("a").get(0).grantId()).granted().isEmpty());
    }

    @Test
    void grantIdsAreSequentialFromTheFirstId() {
        Scheduler s = new Scheduler(7L << 40);
        s.addNode("n", "r", TWO_UNITS);
        s.addApp("a", "default");
        List<Grant> g = Fixtures.askAnywhere(s, "a", 2, 0).granted();
        assertEquals(7L << 40, g.get(0).grantId());
        assertEquals((7L << 40) + 1, g.get(1).grantId());
        s.release(g.get(0).grantId());
        assertEquals((7L << 40) + 2, Fixtures.askAnywhere(s, "a", 1, 0).granted().get(0).grantId());
    }

    @Test
    void shrinkingANodeBelowItsGrantsIsRefused() {
        Scheduler s = fullWithWaiter();
        Fixtures.Snapshot before = Fixtures.snapshot(s);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.addNode("r0n0", "r0", UNIT));
        assertEquals("node r0n0: new total cpu=1000m mem=1024Mi cannot hold the grants on it"
                + " (cpu=2000m mem=2048Mi in use)", e.getMessage());
        Fixtures.assertUnchanged(before, s);
        // shrinking to exactly what is used is fine
        assertEquals(Outcome.NONE, s.addNode("r0n0", "r0", TWO_UNITS));
        assertEquals(ResourceVector.ZERO, s.node("r0n0").orElseThrow().free());
    }
}
