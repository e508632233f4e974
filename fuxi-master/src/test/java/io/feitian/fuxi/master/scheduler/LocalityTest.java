package io.feitian.fuxi.master.scheduler;

import static io.feitian.fuxi.master.scheduler.Fixtures.TWO_UNITS;
import static io.feitian.fuxi.master.scheduler.Fixtures.UNIT;
import static io.feitian.fuxi.master.scheduler.Fixtures.appsOf;
import static io.feitian.fuxi.master.scheduler.Fixtures.askAnywhere;
import static io.feitian.fuxi.master.scheduler.Fixtures.cluster;
import static io.feitian.fuxi.master.scheduler.Fixtures.grantOn;
import static io.feitian.fuxi.master.scheduler.Fixtures.nodesOf;
import static io.feitian.fuxi.master.scheduler.LocalityLevel.CLUSTER;
import static io.feitian.fuxi.master.scheduler.LocalityLevel.MACHINE;
import static io.feitian.fuxi.master.scheduler.LocalityLevel.RACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.feitian.common.resource.ResourceVector;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The locality tree: where a request is placed at once, and who gets freed resources. */
class LocalityTest {

    /** r0n0, r0n1 in rack r0; r1n0, r1n1 in rack r1; two units each. */
    private static Scheduler fourNodes() {
        Scheduler s = cluster(2, 2, TWO_UNITS);
        s.addApp("filler", "default");
        s.addApp("m", "default");
        s.addApp("r", "default");
        s.addApp("c", "default");
        return s;
    }

    @Test
    void immediatePlacementPrefersTheNamedMachineThenItsRackThenAnyNode() {
        Scheduler s = fourNodes();
        Outcome o = s.request("m", "u", UNIT, 0, MACHINE, "r1n1", 5, true);
        List<Grant> g = o.granted();
        assertEquals(List.of("r1n1", "r1n1", "r1n0", "r1n0", "r0n0"), nodesOf(g));
        assertEquals(List.of(MACHINE, MACHINE, RACK, RACK, CLUSTER),
                g.stream().map(Grant::satisfiedLevel).toList());
        assertEquals(List.of("r1n1", "r1n1", "r1", "r1", ""), g.stream().map(Grant::satisfiedTarget).toList());
        for (Grant x : g) {
            assertEquals(MACHINE, x.requestedLevel());
            assertEquals("r1n1", x.requestedTarget());
        }
    }

    @Test
    void strictMachineDemandWaitsForItsNode() {
        Scheduler s = fourNodes();
        assertEquals(2, s.request("m", "u", UNIT, 0, MACHINE, "r0n1", 3, false).granted().size());
        assertEquals(1, s.app("m").orElseThrow().outstandingUnits());
        // room elsewhere is not used
        assertTrue(s.node("r0n0").orElseThrow().free().equals(TWO_UNITS));
        Outcome o = s.release(s.grantsOf("m").get(0).grantId());
        assertEquals(List.of("r0n1"), nodesOf(o.granted()));
        assertEquals(MACHINE, o.granted().get(0).satisfiedLevel());
    }

    @Test
    void strictRackDemandStaysInItsRack() {
        Scheduler s = fourNodes();
        Outcome o = s.request("r", "u", UNIT, 0, RACK, "r1", 5, false);
        assertEquals(List.of("r1n0", "r1n0", "r1n1", "r1n1"), nodesOf(o.granted()));
        assertEquals(1, s.pendingUnits());
        for (Grant g : o.granted()) {
            assertEquals(RACK, g.satisfiedLevel());
            assertEquals("r1", g.satisfiedTarget());
        }
    }

    /**
     * When a node frees, its machine queue goes before its rack queue, which goes before the
     * cluster queue, whatever the priorities.
     */
    @Test
    void freedMachineServesMachineQueueThenRackQueueThenClusterQueue() {
        Scheduler s = fourNodes();
        assertEquals(8, askAnywhere(s, "filler", 8, 0).granted().size());
        // all waiting, same shape; the cluster demand has the highest priority and is oldest
        assertTrue(s.request("c", "u", UNIT, 9, CLUSTER, "", 3, false).granted().isEmpty());
        assertTrue(s.request("r", "u", UNIT, 5, RACK, "r0", 2, false).granted().isEmpty());
        assertTrue(s.request("m", "u", UNIT, 1, MACHINE, "r0n0", 1, false).granted().isEmpty());

        Outcome first = s.release(grantOn(s, "filler", "r0n0").grantId());
        assertEquals(List.of("m"), appsOf(first.granted()));
        assertEquals(MACHINE, first.granted().get(0).satisfiedLevel());

        Outcome second = s.release(grantOn(s, "filler", "r0n0").grantId());
        assertEquals(List.of("r"), appsOf(second.granted()));
        assertEquals(RACK, second.granted().get(0).satisfiedLevel());

        // a node of the other rack: rack r0 and machine r0n0 demand may not go there
        Outcome other = s.release(grantOn(s, "filler", "r1n0").grantId());
        assertEquals(List.of("c"), appsOf(other.granted()));
        assertEquals(CLUSTER, other.granted().get(0).satisfiedLevel());

        Outcome third = s.release(grantOn(s, "filler", "r0n1").grantId());
        assertEquals(List.of("r"), appsOf(third.granted()));
    }

    @Test
    void relaxedMachineDemandIsServedByItsRackBeforeTheClusterQueue() {
        Scheduler s = fourNodes();
        askAnywhere(s, "filler", 8, 0);
        s.request("c", "u", UNIT, 9, CLUSTER, "", 1, false);
        s.request("m", "u", UNIT, 0, MACHINE, "r0n1", 1, true);
        // r0n0 is not the target but is in its rack: the rack queue beats the cluster queue
        Outcome o = s.release(grantOn(s, "filler", "r0n0").grantId());
        assertEquals(List.of("m"), appsOf(o.granted()));
        assertEquals(RACK, o.granted().get(0).satisfiedLevel());
        assertEquals("r0", o.granted().get(0).satisfiedTarget());
    }

    @Test
    void relaxedDemandIsServedByAnyNodeThroughTheClusterQueue() {
        Scheduler s = fourNodes();
        askAnywhere(s, "filler", 8, 0);
        s.request("m", "u", UNIT, 0, MACHINE, "r0n1", 1, true);
        s.request("r", "u", UNIT, 0, RACK, "r0", 1, true);
        Outcome o = s.release(grantOn(s, "filler", "r1n1").grantId());
        assertEquals(List.of("m"), appsOf(o.granted()));
        assertEquals(CLUSTER, o.granted().get(0).satisfiedLevel());
        o = s.release(grantOn(s, "filler", "r1n1").grantId());
        assertEquals(List.of("r"), appsOf(o.granted()));
        assertEquals(CLUSTER, o.granted().get(0).satisfiedLevel());
    }

    @Test
    void relaxingAWaitingBucketLetsItUseOtherNodesAtOnce() {
        Scheduler s = fourNodes();
        s.request("m", "u", UNIT, 0, MACHINE, "r0n0", 3, false);
        assertEquals(1, s.pendingUnits());
        Outcome o = s.request("m", "u", UNIT, 0, MACHINE, "r0n0", 1, true);
        assertEquals(List.of("r0n1", "r0n1"), nodesOf(o.granted()));
        assertEquals(0, s.pendingUnits());
        assertTrue(s.demandOf("m").isEmpty());
    }

    @Test
    void demandForAnUnknownNodeWaitsUntilItJoins() {
        Scheduler s = fourNodes();
        assertTrue(s.request("m", "u", UNIT, 0, MACHINE, "late", 2, false).granted().isEmpty());
        Outcome joined = s.addNode("late", "r9", TWO_UNITS);
        assertEquals(List.of("late", "late"), nodesOf(joined.granted()));
        assertEquals(MACHINE, joined.granted().get(0).satisfiedLevel());
        assertEquals(0, s.pendingUnits());
    }

    @Test
    void relaxedDemandForAnUnknownNodeJoinsTheRackQueueWhenTheNodeDoes() {
        Scheduler s = fourNodes();
        askAnywhere(s, "filler", 8, 0);
        s.request("c", "u", UNIT, 9, CLUSTER, "", 1, false);
        s.request("m", "u", UNIT, 0, MACHINE, "late", 1, true);
        // the node joins too small to take the unit itself
        assertTrue(s.addNode("late", "r0", ResourceVector.of(500, 512)).granted().isEmpty());
        // now its rack knows it: a free slot in r0 goes to the rack queue first
        Outcome o = s.release(grantOn(s, "filler", "r0n1").grantId());
        assertEquals(List.of("m"), appsOf(o.granted()));
        assertEquals(RACK, o.granted().get(0).satisfiedLevel());
    }

    @Test
    void grantsOfARemovedNodeAreReturnedAndItsDemandWaitsForItsReturn() {
        Scheduler s = fourNodes();
        s.request("m", "u", UNIT, 0, MACHINE, "r0n0", 3, false);
        Outcome lost = s.removeNode("r0n0");
        assertEquals(List.of("r0n0", "r0n0"), nodesOf(lost.released()));
        assertTrue(lost.granted().isEmpty());
        assertEquals(0, s.app("m").orElseThrow().grantCount());
        assertEquals(1, s.pendingUnits());
        Outcome back = s.addNode("r0n0", "r0", TWO_UNITS);
        assertEquals(List.of("r0n0"), nodesOf(back.granted()));
    }

    @Test
    void growingANodeSchedulesOntoIt() {
        Scheduler s = fourNodes();
        s.request("m", "u", UNIT, 0, MACHINE, "r0n0", 4, false);
        assertEquals(2, s.pendingUnits());
        Outcome grown = s.addNode("r0n0", "r0", Fixtures.units(3));
        assertEquals(List.of("r0n0"), nodesOf(grown.granted()));
        assertEquals(ResourceVector.ZERO, s.node("r0n0").orElseThrow().free());
    }

    @Test
    void clusterPlacementFindsTheOnlyNodeWithRoomAmongMany() {
        Scheduler s = cluster(20, 50, TWO_UNITS);
        s.addApp("a", "default");
        s.addApp("big", "default");
        assertEquals(2000, askAnywhere(s, "a", 2000, 0).granted().size());
        s.release(grantOn(s, "a", "r13n37").grantId());
        s.release(grantOn(s, "a", "r13n37").grantId());
        Outcome o = s.request("big", "b", TWO_UNITS, 0, CLUSTER, "", 1, false);
        assertEquals(List.of("r13n37"), nodesOf(o.granted()));
    }
}
