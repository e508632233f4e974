package io.feitian.fuxi.master.scheduler;

import static io.feitian.fuxi.master.scheduler.Fixtures.held;
import static io.feitian.fuxi.master.scheduler.Fixtures.units;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.feitian.common.resource.ResourceVector;
import org.junit.jupiter.api.Test;

/** Ordering among groups at the same priority: below-min first, then spare shared by weight. */
class FairShareTest {

    @Test
    void spareIsSharedInProportionToWeights() {
        Scheduler s = new Scheduler(1);
        s.setQuota(QuotaGroup.unlimited("light", 1));
        s.setQuota(QuotaGroup.unlimited("heavy", 3));
        s.addApp("a", "light");
        s.addApp("b", "heavy");
        Fixtures.askAnywhere(s, "a", 1000, 0); // a asks first: FIFO alone would favour it
        Fixtures.askAnywhere(s, "b", 1000, 0);
        for (int i = 0; i < 10; i++) {
            s.addNode("n" + i, "r" + (i % 2), units(4));
        }
        assertEquals(10, held(s, "a"));
        assertEquals(30, held(s, "b"));
    }

    @Test
    void sharesConvergeToWeightsAsWorkTurnsOver() {
        Scheduler s = Fixtures.cluster(1, 10, units(4));
        s.setQuota(QuotaGroup.unlimited("one", 1));
        s.setQuota(QuotaGroup.unlimited("two", 2));
        s.addApp("a", "one");
        s.addApp("b", "two");
        // a grabs the empty cluster first
        assertEquals(40, Fixtures.askAnywhere(s, "a", 10_000, 0).granted().size());
        Fixtures.askAnywhere(s, "b", 10_000, 0);
        // work finishes oldest first, and every freed unit is handed out again
        for (int i = 0; i < 200; i++) {
            Grant oldest = s.grantsOf("a").isEmpty() ? null : s.grantsOf("a").get(0);
            Grant oldestB = s.grantsOf("b").isEmpty() ? null : s.grantsOf("b").get(0);
            Grant victim = oldestB == null || (oldest != null && oldest.grantId() < oldestB.grantId()) ? oldest : oldestB;
            s.release(victim.grantId());
        }
        // 1:2 of 40 units is 13.3 : 26.7
        assertTrue(Math.abs(held(s, "a") - 13) <= 1, "a holds " + held(s, "a"));
        assertEquals(40, held(s, "a") + held(s, "b"));
    }

    @Test
    void aGroupBelowItsMinGoesFirstWhateverTheWeights() {
        Scheduler s = new Scheduler(1);
        s.setQuota(new QuotaGroup("guaranteed", units(4), null, 1));
        s.setQuota(QuotaGroup.unlimited("greedy", 100));
        s.addApp("g", "guaranteed");
        s.addApp("x", "greedy");
        Fixtures.askAnywhere(s, "x", 1000, 0);
        Fixtures.askAnywhere(s, "g", 1000, 0);
        s.addNode("n0", "r", units(4));
        assertEquals(4, held(s, "g"));
        assertEquals(0, held(s, "x"));
        s.addNode("n1", "r", units(4));
        // now g is at its min; the spare goes by (usage above min) / weight: the first unit is
        // a tie at zero (x asked first), the second goes to g (still at zero), then x's share
        // stays below g's (1/8 of the cluster / weight 1) for the rest
        assertEquals(5, held(s, "g"));
        assertEquals(3, held(s, "x"));
    }

    @Test
    void theGroupFurthestBelowItsMinGoesFirst() {
        Scheduler s = new Scheduler(1);
        s.setQuota(new QuotaGroup("small", units(2), null, 1));
        s.setQuota(new QuotaGroup("large", units(8), null, 1));
        s.addApp("a", "small");
        s.addApp("b", "large");
        Fixtures.askAnywhere(s, "a", 100, 0);
        Fixtures.askAnywhere(s, "b", 100, 0);
        s.addNode("n0", "r", units(5));
        // a reaches 1/2 of its min after one unit; b then has the lower share until 4 of 8
        assertEquals(1, held(s, "a"));
        assertEquals(4, held(s, "b"));
        assertTrue(s.group("large").orElseThrow().usage().fitsIn(units(8)));
    }

    @Test
    void priorityComesBeforeFairness() {
        Scheduler s = new Scheduler(1);
        s.setQuota(new QuotaGroup("guaranteed", units(4), null, 1));
        s.addApp("g", "guaranteed");
        s.addApp("x", "default");
        Fixtures.askAnywhere(s, "g", 10, 0);
        Fixtures.askAnywhere(s, "x", 10, 1);
        s.addNode("n0", "r", units(3));
        assertEquals(0, held(s, "g"));
        assertEquals(3, held(s, "x"));
        assertEquals(ResourceVector.ZERO, s.node("n0").orElseThrow().free());
    }
}
