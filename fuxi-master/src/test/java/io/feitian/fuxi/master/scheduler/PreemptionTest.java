package io.feitian.fuxi.master.scheduler;

import static io.feitian.fuxi.master.scheduler.Fixtures.TWO_UNITS;
import static io.feitian.fuxi.master.scheduler.Fixtures.UNIT;
import static io.feitian.fuxi.master.scheduler.Fixtures.assertUnchanged;
import static io.feitian.fuxi.master.scheduler.Fixtures.held;
import static io.feitian.fuxi.master.scheduler.Fixtures.snapshot;
import static io.feitian.fuxi.master.scheduler.Fixtures.units;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.feitian.common.resource.ResourceVector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** planPreemption: a group below its min gets its guaranteed resources back from others. */
class PreemptionTest {

    /** Two nodes of four units, "prod" guaranteed four units, "batch" filling the cluster. */
    private static Scheduler batchFillsTheCluster(ResourceVector batchMin) {
        Scheduler s = Fixtures.cluster(1, 2, units(4));
        s.setQuota(new QuotaGroup("prod", units(4), null, 1));
        s.setQuota(new QuotaGroup("batch", batchMin, null, 1));
        s.addApp("p", "prod");
        s.addApp("b", "batch");
        // ids 1..4 at priority 2, then ids 5..8 at priority 1
        s.request("b", "hi", UNIT, 2, LocalityLevel.CLUSTER, "", 4, false);
        s.request("b", "lo", UNIT, 1, LocalityLevel.CLUSTER, "", 4, false);
        assertEquals(8, held(s, "b"));
        return s;
    }

    private static List<Long> ids(List<Grant> grants) {
        List<Long> out = new ArrayList<>();
        for (Grant g : grants) {
            out.add(g.grantId());
        }
        return out;
    }

    @Test
    void victimsAreLowestPriorityNewestFirstAndPlanningChangesNothing() {
        Scheduler s = batchFillsTheCluster(ResourceVector.ZERO);
        Fixtures.askAnywhere(s, "p", 3, 0);
        Fixtures.Snapshot before = snapshot(s);
        List<Grant> plan = s.planPreemption();
        assertUnchanged(before, s);
        assertEquals(List.of(8L, 7L, 6L), ids(plan));
        List<Grant> toProd = new ArrayList<>();
        for (Grant g : plan) {
            Outcome o = s.revoke(g.grantId());
            assertEquals(List.of(g), o.released());
            toProd.addAll(o.granted());
        }
        assertEquals(3, toProd.size());
        assertTrue(toProd.stream().allMatch(g -> g.appId().equals("p")));
        assertEquals(List.of(), s.planPreemption());
    }

    @Test
    void onlyDemandWithinTheMinIsEntitled() {
        Scheduler s = batchFillsTheCluster(ResourceVector.ZERO);
        Fixtures.askAnywhere(s, "p", 10, 0);
        assertEquals(4, s.planPreemption().size());
    }

    @Test
    void neverTakesAVictimGroupBelowItsOwnMin() {
        Scheduler s = batchFillsTheCluster(units(6));
        Fixtures.askAnywhere(s, "p", 4, 0);
        assertEquals(List.of(8L, 7L), ids(s.planPreemption()));
    }

    @Test
    void nothingWhenNoGroupBelowMinIsWaiting() {
        Scheduler s = batchFillsTheCluster(ResourceVector.ZERO);
        assertEquals(List.of(), s.planPreemption());
        // a waiting group without a min is not entitled to anything either
        s.addApp("d", "default");
        Fixtures.askAnywhere(s, "d", 3, 9);
        assertEquals(List.of(), s.planPreemption());
    }

    @Test
    void victimsAreTakenWhereTheWaitingDemandCanRun() {
        Scheduler s = batchFillsTheCluster(ResourceVector.ZERO);
        // the newest, lowest-priority batch grants are on r0n1; prod wants r0n0 only
        assertEquals("r0n1", s.grant(8).orElseThrow().nodeId());
        s.request("p", "u", UNIT, 0, LocalityLevel.MACHINE, "r0n0", 2, false);
        List<Grant> plan = s.planPreemption();
        assertEquals(2, plan.size());
        assertTrue(plan.stream().allMatch(g -> g.nodeId().equals("r0n0")), plan.toString());
        for (Grant g : plan) {
            s.revoke(g.grantId());
        }
        assertEquals(2, held(s, "p"));
    }

    @Test
    void aLargeUnitIsPlannedOnOneNodeNotFromFragmentsOfSeveral() {
        Scheduler s = batchFillsTheCluster(ResourceVector.ZERO);
        s.request("p", "big", TWO_UNITS, 0, LocalityLevel.CLUSTER, "", 1, false);
        List<Grant> plan = s.planPreemption();
        // the two newest are both on r0n1, so they are enough
        assertEquals(List.of(8L, 7L), ids(plan));
        List<Grant> granted = new ArrayList<>();
        for (Grant g : plan) {
            granted.addAll(s.revoke(g.grantId()).granted());
        }
        assertEquals(1, granted.size());
        assertEquals("big", granted.get(0).unit());
    }
}
