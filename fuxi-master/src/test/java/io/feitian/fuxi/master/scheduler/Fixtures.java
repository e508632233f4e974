package io.feitian.fuxi.master.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.feitian.common.resource.ResourceVector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Shapes, small clusters and whole-state snapshots shared by the scheduler tests. */
final class Fixtures {

    /** One unit: 1 core, 1 GiB. */
    static final ResourceVector UNIT = ResourceVector.of(1000, 1024);
    /** A node that holds exactly two units. */
    static final ResourceVector TWO_UNITS = ResourceVector.of(2000, 2048);

    private Fixtures() {}

    static ResourceVector units(int n) {
        return ResourceVector.of(1000L * n, 1024L * n);
    }

    /** Nodes r{rack}n{i} (e.g. "r0n1") in racks "r{rack}", each with the given total. */
    static Scheduler cluster(int racks, int nodesPerRack, ResourceVector total) {
        Scheduler s = new Scheduler(1);
        for (int r = 0; r < racks; r++) {
            for (int i = 0; i < nodesPerRack; i++) {
                s.addNode("r" + r + "n" + i, "r" + r, total);
            }
        }
        return s;
    }

    /** The app asks for count units of shape UNIT anywhere (unit "u"). */
    static Outcome askAnywhere(Scheduler s, String app, int count, int priority) {
        return s.request(app, "u", UNIT, priority, LocalityLevel.CLUSTER, "", count, false);
    }

    static List<String> nodesOf(List<Grant> grants) {
        List<String> out = new ArrayList<>();
        for (Grant g : grants) {
            out.add(g.nodeId());
        }
        return out;
    }

    static List<String> appsOf(List<Grant> grants) {
        List<String> out = new ArrayList<>();
        for (Grant g : grants) {
            out.add(g.appId());
        }
        return out;
    }

    static int held(Scheduler s, String app) {
        return s.app(app).orElseThrow().grantCount();
    }

    /** The first grant of app on node. */
    static Grant grantOn(Scheduler s, String app, String node) {
        for (Grant g : s.grantsOf(app)) {
            if (g.nodeId().equals(node)) {
                return g;
            }
        }
        throw new AssertionError("app " + app + " holds nothing on " + node);
    }

    /** Everything observable about a scheduler, for "state unchanged" checks. */
    record Snapshot(
            List<NodeStatus> nodes,
            List<AppStatus> apps,
            List<GroupStatus> groups,
            Map<String, List<Grant>> grants,
            Map<String, List<DemandStatus>> demand,
            long pending,
            List<String> blacklist,
            List<String> draining) {}

    static Snapshot snapshot(Scheduler s) {
        Map<String, List<Grant>> grants = new LinkedHashMap<>();
        Map<String, List<DemandStatus>> demand = new LinkedHashMap<>();
        for (AppStatus a : s.apps()) {
            grants.put(a.appId(), s.grantsOf(a.appId()));
            demand.put(a.appId(), s.demandOf(a.appId()));
        }
        return new Snapshot(s.nodes(), s.apps(), s.groups(), grants, demand, s.pendingUnits(), s.blacklist(),
                s.draining());
    }

    static void assertUnchanged(Snapshot before, Scheduler s) {
        assertEquals(before, snapshot(s), "scheduler state changed");
    }
}
