package io.feitian.fuxi.master.scheduler;

import static io.feitian.fuxi.master.scheduler.Fixtures.TWO_UNITS;
import static io.feitian.fuxi.master.scheduler.Fixtures.UNIT;
import static io.feitian.fuxi.master.scheduler.Fixtures.cluster;
import static io.feitian.fuxi.master.scheduler.Fixtures.held;
import static io.feitian.fuxi.master.scheduler.Fixtures.nodesOf;
import static io.feitian.fuxi.master.scheduler.Fixtures.units;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.feitian.common.resource.ResourceVector;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A group never holds more than its max; demand held back by it is placed when usage drops. */
class QuotaMaxTest {

    private static Scheduler capped(int maxUnits) {
        Scheduler s = cluster(2, 4, TWO_UNITS);
        s.setQuota(new QuotaGroup("capped", ResourceVector.ZERO, units(maxUnits), 1));
        s.addApp("a", "capped");
        s.addApp("b", "capped");
        return s;
    }

    @Test
    void maxIsNeverExceededAcrossAppsOfTheGroup() {
        Scheduler s = capped(3);
        assertEquals(2, Fixtures.askAnywhere(s, "a", 2, 0).granted().size());
        assertEquals(1, Fixtures.askAnywhere(s, "b", 5, 0).granted().size());
        assertEquals(units(3), s.group("capped").orElseThrow().usage());
        assertEquals(4, s.pendingUnits());
    }

    @Test
    void releaseLetsTheNextUnitOfTheGroupIn() {
        Scheduler s = capped(2);
        Fixtures.askAnywhere(s, "a", 5, 0);
        Outcome o = s.release(s.grantsOf("a").get(0).grantId());
        assertEquals(1, o.granted().size());
        assertEquals(2, held(s, "a"));
        assertEquals(units(2), s.group("capped").orElseThrow().usage());
    }

    @Test
    void heldBackDemandIsPlacedOnAnotherNodeWhenTheGroupFrees() {
        Scheduler s = capped(2);
        // a holds the whole quota on r0n0
        assertEquals(List.of("r0n0", "r0n0"), nodesOf(s.request("a", "u", UNIT, 0, LocalityLevel.MACHINE, "r0n0", 2, false).granted()));
        // b wants an idle node, strictly; the quota holds it back
        assertTrue(s.request("b", "u", UNIT, 0, LocalityLevel.MACHINE, "r1n3", 1, false).granted().isEmpty());
        // the release frees r0n0, where b cannot go; b must still get r1n3
        Outcome o = s.release(s.grantsOf("a").get(0).grantId());
        assertEquals(List.of("r1n3"), nodesOf(o.granted()));
        assertEquals("b", o.granted().get(0).appId());
    }

    @Test
    void freedHeadroomGoesToTheHighestPriorityHeldBackDemandOfTheGroup() {
        Scheduler s = capped(1);
        s.request("a", "u", UNIT, 0, LocalityLevel.MACHINE, "r0n0", 1, false);
        // both held back by the max, on two different idle nodes; the low priority asked first
        s.request("b", "low", UNIT, 1, LocalityLevel.MACHINE, "r0n1", 1, false);
        s.request("b", "high", UNIT, 5, LocalityLevel.MACHINE, "r1n1", 1, false);
        Outcome o = s.release(s.grantsOf("a").get(0).grantId());
        assertEquals(List.of("r1n1"), nodesOf(o.granted()));
        assertEquals("high", o.granted().get(0).unit());
    }

    @Test
    void freedHeadroomGoesToTheHighestPriorityAcrossShapes() {
        Scheduler s = capped(2);
        s.request("a", "u", UNIT, 0, LocalityLevel.MACHINE, "r0n0", 2, false);
        ResourceVector slim = ResourceVector.of(1000, 512);
        s.request("b", "low", UNIT, 1, LocalityLevel.MACHINE, "r0n1", 1, false);
        s.request("b", "high", slim, 5, LocalityLevel.MACHINE, "r1n1", 1, false);
        // one unit of headroom: either would fit, but only one of them
        Outcome o = s.release(s.grantsOf("a").get(0).grantId());
        assertEquals(List.of("high"), o.granted().stream().map(Grant::unit).toList());
    }

    @Test
    void raisingMaxPlacesWaitingDemand() {
        Scheduler s = capped(1);
        Fixtures.askAnywhere(s, "a", 4, 0);
        assertEquals(1, held(s, "a"));
        Outcome o = s.setQuota(new QuotaGroup("capped", ResourceVector.ZERO, units(3), 1));
        assertEquals(2, o.granted().size());
        assertEquals(3, held(s, "a"));
    }

    @Test
    void loweringMaxBelowUsageRevokesNothingButAdmitsNothing() {
        Scheduler s = capped(4);
        Fixtures.askAnywhere(s, "a", 6, 0);
        assertEquals(Outcome.NONE, s.setQuota(new QuotaGroup("capped", ResourceVector.ZERO, units(2), 1)));
        assertEquals(4, held(s, "a"));
        assertTrue(s.release(s.grantsOf("a").get(0).grantId()).granted().isEmpty());
        assertTrue(s.release(s.grantsOf("a").get(0).grantId()).granted().isEmpty());
        assertEquals(1, s.release(s.grantsOf("a").get(0).grantId()).granted().size());
        assertEquals(2, held(s, "a"));
    }

    @Test
    void maxIsPerDimension() {
        Scheduler s = cluster(1, 4, ResourceVector.of(8000, 8192));
        s.setQuota(new QuotaGroup("memcap", ResourceVector.ZERO, ResourceVector.of(100_000, 4096), 1));
        s.addApp("a", "memcap");
        ResourceVector memHeavy = ResourceVector.of(100, 3000);
        assertEquals(1, s.request("a", "u", memHeavy, 0, LocalityLevel.CLUSTER, "", 3, false).granted().size());
        // a cpu-only unit still fits the memory headroom
        assertEquals(1, s.request("a", "v", ResourceVector.of(1000, 1000), 0, LocalityLevel.CLUSTER, "", 1, false)
                .granted().size());
    }
}
