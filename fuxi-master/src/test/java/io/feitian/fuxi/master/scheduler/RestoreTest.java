package io.feitian.fuxi.master.scheduler;

import static io.feitian.fuxi.master.scheduler.Fixtures.TWO_UNITS;
import static io.feitian.fuxi.master.scheduler.Fixtures.UNIT;
import static io.feitian.fuxi.master.scheduler.Fixtures.units;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.feitian.common.resource.ResourceVector;
import java.util.List;
import org.junit.jupiter.api.Test;

/** restore: re-installing grants after a leader failover. */
class RestoreTest {

    private static final long OLD_TERM = 3L << 40;
    private static final long NEW_TERM = 4L << 40;

    private static Scheduler newLeader() {
        Scheduler s = new Scheduler(NEW_TERM);
        s.addNode("n0", "r0", TWO_UNITS);
        s.addNode("n1", "r0", TWO_UNITS);
        s.addApp("a", "default");
        return s;
    }

    private static Grant old(long id, String node) {
        return new Grant(OLD_TERM + id, "a", "u", node, UNIT, 0, LocalityLevel.CLUSTER, "");
    }

    @Test
    void restoredGrantsKeepTheirIdsAndTakeTheirResources() {
        Scheduler s = newLeader();
        s.restore(old(1, "n0"));
        s.restore(old(2, "n0"));
        assertEquals(List.of(old(1, "n0"), old(2, "n0")), s.grantsOf("a"));
        assertEquals(ResourceVector.ZERO, s.node("n0").orElseThrow().free());
        assertEquals(TWO_UNITS, s.app("a").orElseThrow().inUse());
        // new grants go elsewhere and get ids of the new term
        Grant fresh = Fixtures.askAnywhere(s, "a", 1, 0).granted().get(0);
        assertEquals("n1", fresh.nodeId());
        assertEquals(NEW_TERM, fresh.grantId());
    }

    @Test
    void restoreDoesNotTouchDemand() {
        Scheduler s = newLeader();
        Fixtures.askAnywhere(s, "a", 6, 0);
        assertEquals(2, s.pendingUnits());
        s.release(s.grantsOf("a").get(0).grantId());
        assertEquals(1, s.pendingUnits());
        s.removeNode("n1");
        s.addNode("n1", "r0", TWO_UNITS); // comes back empty: one unit placed, the other stays free
        assertEquals(0, s.pendingUnits());
        s.restore(old(9, "n1"));
        assertEquals(0, s.pendingUnits());
        assertEquals(ResourceVector.ZERO, s.node("n1").orElseThrow().free());
    }

    @Test
    void newIdsSkipRestoredOnes() {
        Scheduler s = newLeader();
        s.restore(new Grant(NEW_TERM, "a", "u", "n0", UNIT, 0, LocalityLevel.CLUSTER, ""));
        s.restore(new Grant(NEW_TERM + 1, "a", "u", "n0", UNIT, 0, LocalityLevel.CLUSTER, ""));
        List<Grant> fresh = Fixtures.askAnywhere(s, "a", 2, 0).granted();
        assertEquals(List.of(NEW_TERM + 2, NEW_TERM + 3), fresh.stream().map(Grant::grantId).toList());
    }

    @Test
    void restoreIgnoresTheQuotaMaxAndBlacklist() {
        Scheduler s = newLeader();
        s.setQuota(new QuotaGroup("tiny", ResourceVector.ZERO, UNIT, 1));
        s.addApp("t", "tiny");
        s.blacklist("n0");
        s.restore(new Grant(OLD_TERM + 1, "t", "u", "n0", UNIT, 0, LocalityLevel.CLUSTER, ""));
        s.restore(new Grant(OLD_TERM + 2, "t", "u", "n0", UNIT, 0, LocalityLevel.CLUSTER, ""));
        assertEquals(TWO_UNITS, s.group("tiny").orElseThrow().usage());
    }

    @Test
    void restoreFixesTheUnitShapeForLaterRequests() {
        Scheduler s = newLeader();
        s.restore(old(1, "n0"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.request("a", "u", TWO_UNITS, 0, LocalityLevel.CLUSTER, "", 1, false));
        assertTrue(e.getMessage().startsWith("unit u of app a already has shape cpu=1000m mem=1024Mi priority 0"),
                e.getMessage());
    }

    @Test
    void restoreRules() {
        Scheduler s = newLeader();
        s.restore(old(1, "n0"));
        Fixtures.Snapshot before = Fixtures.snapshot(s);
        assertEquals("cannot restore grant " + (OLD_TERM + 2) + ": unknown node gone",
                assertThrows(IllegalStateException.class, () -> s.restore(old(2, "gone"))).getMessage());
        assertEquals("cannot restore grant " + (OLD_TERM + 2) + ": unknown app b",
                assertThrows(IllegalStateException.class, () -> s.restore(
                        new Grant(OLD_TERM + 2, "b", "u", "n0", UNIT, 0, LocalityLevel.CLUSTER, ""))).getMessage());
        assertEquals("cannot restore grant " + (OLD_TERM + 1) + ": the id is already held",
                assertThrows(IllegalStateException.class, () -> s.restore(old(1, "n1"))).getMessage());
        assertEquals("cannot restore grant " + (OLD_TERM + 3) + ": shape cpu=2000m mem=2048Mi does not fit the"
                        + " free resources of node n0 (cpu=1000m mem=1024Mi)",
                assertThrows(IllegalStateException.class, () -> s.restore(
                        new Grant(OLD_TERM + 3, "a", "v", "n0", TWO_UNITS, 0, LocalityLevel.CLUSTER, ""))).getMessage());
        assertTrue(assertThrows(IllegalStateException.class, () -> s.restore(
                new Grant(OLD_TERM + 4, "a", "u", "n1", UNIT, 5, LocalityLevel.CLUSTER, ""))).getMessage()
                .contains("unit u of app a has shape cpu=1000m mem=1024Mi priority 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> s.restore(null)).getMessage().contains("null"));
        Fixtures.assertUnchanged(before, s);
    }

    @Test
    void failoverRebuildsAnEquivalentSchedulerThatIssuesNothingNew() {
        Scheduler old = Fixtures.cluster(2, 3, units(4));
        old.setQuota(new QuotaGroup("g", units(2), units(10), 2));
        old.addApp("a", "g");
        old.addApp("b", "default");
        old.request("a", "m", UNIT, 3, LocalityLevel.MACHINE, "r0n1", 8, true);
        old.request("b", "c", units(3), 1, LocalityLevel.CLUSTER, "", 9, false);
        old.request("b", "k", UNIT, 0, LocalityLevel.RACK, "r1", 9, false);

        Scheduler fresh = new Scheduler(NEW_TERM);
        fresh.setQuota(new QuotaGroup("g", units(2), units(10), 2));
        for (NodeStatus n : old.nodes()) {
            fresh.addNode(n.nodeId(), n.rack(), n.total());
        }
        for (AppStatus a : old.apps()) {
            fresh.addApp(a.appId(), a.group());
        }
        for (AppStatus a : old.apps()) {
            for (Grant g : old.grantsOf(a.appId())) {
                fresh.restore(g);
            }
        }
        for (AppStatus a : old.apps()) {
            for (DemandStatus d : old.demandOf(a.appId())) {
                Outcome o = fresh.request(d.appId(), d.unit(), d.shape(), d.priority(), d.level(), d.target(),
                        (int) d.outstanding(), d.relaxLocality());
                assertEquals(Outcome.NONE, o, "re-sent demand found room the old leader had not used");
            }
        }
        assertEquals(old.nodes(), fresh.nodes());
        assertEquals(old.apps(), fresh.apps());
        assertEquals(old.groups(), fresh.groups());
        assertEquals(old.pendingUnits(), fresh.pendingUnits());
    }
}
