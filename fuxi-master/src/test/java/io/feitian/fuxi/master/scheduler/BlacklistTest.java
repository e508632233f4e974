package io.feitian.fuxi.master.scheduler;

import static io.feitian.fuxi.master.scheduler.Fixtures.TWO_UNITS;
import static io.feitian.fuxi.master.scheduler.Fixtures.UNIT;
import static io.feitian.fuxi.master.scheduler.Fixtures.nodesOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Blacklisted nodes keep their grants and get no new ones. */
class BlacklistTest {

    @Test
    void noNewGrantsOnABlacklistedNodeExistingOnesStay() {
        Scheduler s = Fixtures.cluster(1, 2, TWO_UNITS);
        s.addApp("a", "default");
        Fixtures.askAnywhere(s, "a", 1, 0);
        assertEquals("r0n0", s.grantsOf("a").get(0).nodeId());
        s.blacklist("r0n0");
        assertTrue(s.node("r0n0").orElseThrow().blacklisted());
        assertEquals(1, s.node("r0n0").orElseThrow().grantCount());
        // cluster placement skips it
        assertEquals(List.of("r0n1", "r0n1"), nodesOf(Fixtures.askAnywhere(s, "a", 3, 0).granted()));
        // so does machine placement, and freeing resources on it
        assertTrue(s.request("a", "u", UNIT, 0, LocalityLevel.MACHINE, "r0n0", 1, false).granted().isEmpty());
        Grant onIt = s.grantsOf("a").get(0);
        assertTrue(s.release(onIt.grantId()).granted().isEmpty());
        assertEquals(2, s.pendingUnits());
    }

    @Test
    void unblacklistingSchedulesWaitingDemandOntoTheNode() {
        Scheduler s = Fixtures.cluster(1, 1, TWO_UNITS);
        s.addApp("a", "default");
        s.blacklist("r0n0");
        assertTrue(Fixtures.askAnywhere(s, "a", 3, 0).granted().isEmpty());
        Outcome o = s.unblacklist("r0n0");
        assertEquals(List.of("r0n0", "r0n0"), nodesOf(o.granted()));
        assertEquals(Outcome.NONE, s.unblacklist("r0n0"));
    }

    @Test
    void aNodeBlacklistedBeforeItJoinsJoinsBlacklisted() {
        Scheduler s = new Scheduler(1);
        s.addApp("a", "default");
        s.blacklist("later");
        assertEquals(List.of("later"), s.blacklist());
        assertTrue(s.addNode("later", "r", TWO_UNITS).granted().isEmpty());
        assertTrue(s.node("later").orElseThrow().blacklisted());
        assertTrue(Fixtures.askAnywhere(s, "a", 1, 0).granted().isEmpty());
    }
}
