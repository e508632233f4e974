package io.feitian.fuxi.master.scheduler;

import static io.feitian.fuxi.master.scheduler.Fixtures.TWO_UNITS;
import static io.feitian.fuxi.master.scheduler.Fixtures.UNIT;
import static io.feitian.fuxi.master.scheduler.Fixtures.appsOf;
import static io.feitian.fuxi.master.scheduler.Fixtures.askAnywhere;
import static io.feitian.fuxi.master.scheduler.Fixtures.cluster;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.feitian.common.resource.ResourceVector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Within one queue: higher priority first, then (same group) the oldest bucket first. */
class PriorityTest {

    private static Scheduler full(String... apps) {
        Scheduler s = cluster(1, 2, TWO_UNITS);
        s.addApp("filler", "default");
        for (String a : apps) {
            s.addApp(a, "default");
        }
        askAnywhere(s, "filler", 4, 0);
        return s;
    }

    private static List<String> drain(Scheduler s, int n) {
        List<String> got = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Grant g = s.grantsOf("filler").get(0);
            got.addAll(appsOf(s.release(g.grantId()).granted()));
        }
        return got;
    }

    @Test
    void higherPriorityGoesFirst() {
        Scheduler s = full("low", "high", "mid");
        Fixtures.askAnywhere(s, "low", 1, 1);
        Fixtures.askAnywhere(s, "high", 1, 10);
        Fixtures.askAnywhere(s, "mid", 1, 5);
        assertEquals(List.of("high", "mid", "low"), drain(s, 3));
    }

    @Test
    void equalPriorityIsFirstComeFirstServed() {
        Scheduler s = full("a", "b", "c");
        Fixtures.askAnywhere(s, "b", 1, 3);
        Fixtures.askAnywhere(s, "c", 1, 3);
        Fixtures.askAnywhere(s, "a", 1, 3);
        assertEquals(List.of("b", "c", "a"), drain(s, 3));
    }

    @Test
    void unitsOfOneAppAreOrderedByTheirOwnPriority() {
        Scheduler s = full("a");
        s.request("a", "reduce", UNIT, 1, LocalityLevel.CLUSTER, "", 1, false);
        s.request("a", "map", UNIT, 7, LocalityLevel.CLUSTER, "", 1, false);
        Grant first = s.release(s.grantsOf("filler").get(0).grantId()).granted().get(0);
        assertEquals("map", first.unit());
        assertEquals(7, first.priority());
    }

    @Test
    void aHighPriorityUnitThatDoesNotFitDoesNotBlockALowerOneThatDoes() {
        Scheduler s = full("big", "small");
        s.request("big", "u", TWO_UNITS, 10, LocalityLevel.CLUSTER, "", 1, false);
        Fixtures.askAnywhere(s, "small", 1, 0);
        // one unit frees: the big unit does not fit, the small one does
        assertEquals(List.of("small"), drain(s, 1));
        // the next unit that frees on the same node is not enough for big either (small took one)
        Grant onSameNode = s.grantsOf("filler").stream()
                .filter(g -> g.nodeId().equals(s.grantsOf("small").get(0).nodeId())).findFirst().orElseThrow();
        assertEquals(List.of(), appsOf(s.release(onSameNode.grantId()).granted()));
        assertEquals(ResourceVector.ZERO.plus(UNIT),
                s.node(onSameNode.nodeId()).orElseThrow().free());
    }
}
