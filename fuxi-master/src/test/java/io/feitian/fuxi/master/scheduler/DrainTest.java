package io.feitian.fuxi.master.scheduler;

import static io.feitian.fuxi.master.scheduler.Fixtures.TWO_UNITS;
import static io.feitian.fuxi.master.scheduler.Fixtures.UNIT;
import static io.feitian.fuxi.master.scheduler.Fixtures.held;
import static io.feitian.fuxi.master.scheduler.Fixtures.nodesOf;
import static io.feitian.fuxi.master.scheduler.Fixtures.units;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.feitian.common.resource.ResourceVector;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A draining node keeps its grants, gets no new ones, and empties as its applications return them. */
class DrainTest {

    @Test
    void aDrainingNodeGetsNoNewGrantsAndKeepsItsOwn() {
        Scheduler s = Fixtures.cluster(1, 2, TWO_UNITS);
        s.addApp("a", "default");
        Fixtures.askAnywhere(s, "a", 1, 0);
        Grant onIt = s.grantsOf("a").get(0);
        assertEquals("r0n0", onIt.nodeId());

        s.drain("r0n0");
        NodeStatus n = s.node("r0n0").orElseThrow();
        assertTrue(n.draining());
        assertFalse(n.blacklisted());
        assertEquals(1, n.grantCount());
        assertTrue(s.isDraining("r0n0"));
        assertEquals(List.of("r0n0"), s.draining());

        // Cluster-level demand goes to the other node only; what does not fit there waits.
        assertEquals(List.of("r0n1", "r0n1"), nodesOf(Fixtures.askAnywhere(s, "a", 3, 0).granted()));
        assertEquals(1, s.pendingUnits());
        // Demand naming the node waits too, even where it would fit.
        assertTrue(s.request("a", "m", UNIT, 0, LocalityLevel.MACHINE, "r0n0", 1, false).granted().isEmpty());
        // Its own grant is returned: the freed room is not handed out again, the node is empty.
        assertTrue(s.release(onIt.grantId()).granted().isEmpty());
        assertEquals(0, s.node("r0n0").orElseThrow().grantCount());
        assertEquals(TWO_UNITS, s.node("r0n0").orElseThrow().free());
        assertEquals(2, s.pendingUnits());
    }

    @Test
    void undrainingHandsWaitingDemandToTheNodeAndRepeatsChangeNothing() {
        Scheduler s = Fixtures.cluster(1, 1, TWO_UNITS);
        s.addApp("a", "default");
        s.drain("r0n0");
        s.drain("r0n0");
        assertTrue(Fixtures.askAnywhere(s, "a", 3, 0).granted().isEmpty());
        Outcome o = s.undrain("r0n0");
        assertEquals(List.of("r0n0", "r0n0"), nodesOf(o.granted()));
        assertFalse(s.node("r0n0").orElseThrow().draining());
        assertEquals(Outcome.NONE, s.undrain("r0n0"));
        assertEquals(List.of(), s.draining());
    }

    @Test
    void drainAndBlacklistAreIndependent() {
        Scheduler s = Fixtures.cluster(1, 1, TWO_UNITS);
        s.addApp("a", "default");
        s.drain("r0n0");
        s.blacklist("r0n0");
        Fixtures.askAnywhere(s, "a", 1, 0);
        // Still draining: lifting the blacklisting grants nothing.
        assertEquals(Outcome.NONE.granted(), s.unblacklist("r0n0").granted());
        assertTrue(s.node("r0n0").orElseThrow().draining());
        s.blacklist("r0n0");
        // Still blacklisted: ending the drain grants nothing.
        assertTrue(s.undrain("r0n0").granted().isEmpty());
        assertEquals(List.of("r0n0"), nodesOf(s.unblacklist("r0n0").granted()));
    }

    @Test
    void aNodeDrainedBeforeItJoinsJoinsDrainingAndKeepsRestoredGrants() {
        Scheduler s = new Scheduler(100);
        s.addApp("a", "default");
        Fixtures.askAnywhere(s, "a", 1, 0);
        // A new leader: the drain comes from the hard state before the node re-registers.
        s.drain("back");
        assertTrue(s.addNode("back", "r", TWO_UNITS).granted().isEmpty());
        assertTrue(s.node("back").orElseThrow().draining());
        s.restore(new Grant(7, "a", "u", "back", UNIT, 0, LocalityLevel.CLUSTER, ""));
        assertEquals(1, s.node("back").orElseThrow().grantCount());
        assertEquals(1, s.pendingUnits());
    }

    @Test
    void grantsOnADrainingNodeAreNotPreemptedForOthersThatCouldNotUseTheRoom() {
        Scheduler s = Fixtures.cluster(1, 2, units(4));
        s.setQuota(new QuotaGroup("prod", units(4), null, 1));
        s.addApp("p", "prod");
        s.addApp("b", "default");
        s.request("b", "u", UNIT, 0, LocalityLevel.CLUSTER, "", 8, false);
        assertEquals(8, held(s, "b"));
        s.drain("r0n0");
        s.drain("r0n1");
        Fixtures.askAnywhere(s, "p", 2, 0);
        // Every node drains: revoking there would free room no new grant may take.
        assertEquals(List.of(), s.planPreemption());
        s.undrain("r0n1");
        assertTrue(s.planPreemption().stream().allMatch(g -> g.nodeId().equals("r0n1")));
        assertEquals(2, s.planPreemption().size());
    }

    @Test
    void aBlankNodeIdIsRefusedNamingTheField() {
        Scheduler s = new Scheduler(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.drain(" "));
        assertTrue(e.getMessage().contains("nodeId"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.undrain(""));
        assertEquals(List.of(), s.draining());
        assertEquals(ResourceVector.ZERO, s.clusterTotal());
    }
}
