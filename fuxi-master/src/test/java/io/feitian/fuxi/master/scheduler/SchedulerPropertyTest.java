package io.feitian.fuxi.master.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.feitian.common.resource.ResourceVector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Thousands of random operations against an independent model of what the scheduler must hold.
 * After every operation the scheduler's observable state is compared with the model and with the
 * named invariants below. A failure names the seed and step; replay one seed with
 * {@code -Dscheduler.seed=N} (and {@code -Dscheduler.ops=N} to change the length).
 *
 * <ul>
 *   <li>NO_OVERALLOCATION: free = total − the shapes of the node's grants, never negative.
 *   <li>GRANTS_EXACT: every grant is held once, by a live app on a live node, and matches what the
 *       outcomes said; ids are never issued twice.
 *   <li>DEMAND_EXACT: each bucket's outstanding = requested − withdrawn − grants taken from it.
 *   <li>LOCALITY: a grant lands where its bucket allows, on a node that is not blacklisted, and
 *       reports the locality it achieved.
 *   <li>QUOTA_MAX: a group that receives a grant is within its max afterwards.
 *   <li>WORK_CONSERVING: waiting demand never fits a schedulable node it may use, unless its
 *       group's max forbids it.
 *   <li>PREEMPTION_PURE: planPreemption changes nothing and never takes a group below its min.
 *   <li>FAILOVER: a scheduler rebuilt by restore + re-sent demand issues nothing new.
 * </ul>
 */
class SchedulerPropertyTest {

    private static final int OPS = Integer.getInteger("scheduler.ops", 2500);

    @TestFactory
    Stream<DynamicTest> randomOperationsKeepTheInvariants() {
        String replay = System.getProperty("scheduler.seed");
        List<Long> seeds = new ArrayList<>();
        if (replay != null && !replay.isBlank()) {
            seeds.add(Long.parseLong(replay.trim()));
        } else {
            for (long s = 1; s <= 6; s++) {
                seeds.add(s);
            }
            seeds.add(System.nanoTime()); // a fresh one each run; printed, and in any failure message
        }
        return seeds.stream().map(seed -> DynamicTest.dynamicTest("seed=" + seed, () -> {
            System.out.println("seed=" + seed);
            new Run(seed).run(OPS);
        }));
    }

    // ------------------------------------------------------------------ the model

    private record NodeModel(String rack, ResourceVector total) {}

    private record UnitModel(ResourceVector shape, int priority) {}

    private record Key(String app, String unit, LocalityLevel level, String target) {}

    private static final class BucketModel {
        long count;
        boolean relax;
    }

    private static final String[] NODE_IDS = {"n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10", "n11"};
    private static final String[] RACKS = {"r0", "r1", "r2", "r3"};
    private static final ResourceVector[] NODE_TOTALS = {
        ResourceVector.of(4000, 8192),
        ResourceVector.of(2000, 2048),
        ResourceVector.of(8000, 4096, Map.of("gpu", 2L)),
        ResourceVector.of(1000, 1024),
        ResourceVector.of(6000, 6144),
    };
    private static final ResourceVector[] SHAPES = {
        ResourceVector.of(1000, 1024),
        ResourceVector.of(500, 2048),
        ResourceVector.of(2000, 1024),
        ResourceVector.of(1000, 1024, Map.of("gpu", 1L)),
        ResourceVector.of(3000, 3000),
        ResourceVector.of(0, 0, Map.of("gpu", 1L)),
    };

    private static final class Run {
        final long seed;
        final Random rnd;
        Scheduler s;
        long epoch = 1;
        int step;
        String op = "";

        final Map<String, NodeModel> nodes = new TreeMap<>();
        final Set<String> blacklist = new HashSet<>();
        final Map<String, String> apps = new LinkedHashMap<>();
        final Map<String, QuotaGroup> groups = new LinkedHashMap<>();
        final Map<String, UnitModel> units = new HashMap<>(); // app + "/" + unit
        final Map<Key, BucketModel> buckets = new LinkedHashMap<>();
        final Map<Long, Grant> held = new TreeMap<>();
        final Set<Long> everIssued = new HashSet<>();
        final List<Grant> releasedHistory = new ArrayList<>();
        final Set<String> grantedGroups = new HashSet<>();
        int appCounter;
        final Map<String, Integer> stats = new TreeMap<>();

        private void count(String what) {
            stats.merge(what, 1, Integer::sum);
        }

        Run(long seed) {
            this.seed = seed;
            this.rnd = new Random(seed);
            this.s = new Scheduler(epoch << 40);
            groups.put("default", QuotaGroup.unlimited("default", 1));
            define(new QuotaGroup("g1", ResourceVector.of(2000, 2048), ResourceVector.of(6000, 8192), 1));
            define(QuotaGroup.unlimited("g2", 3));
            define(new QuotaGroup("g3", ResourceVector.of(3000, 4096), null, 0.5));
        }

        private void define(QuotaGroup q) {
            groups.put(q.name(), q);
            apply(s.setQuota(q), List.of());
        }

        void run(int ops) {
            for (step = 0; step < ops; step++) {
                grantedGroups.clear();
                try {
                    oneOperation();
                    checkInvariants();
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError("seed=" + seed + " step=" + step + " op=" + op + ": " + e.getMessage(), e);
                }
            }
            System.out.println("seed=" + seed + " " + stats);
        }

        void oneOperation() {
            int r = rnd.nextInt(100);
            if (nodes.isEmpty() || r < 8) {
                addNode();
            } else if (apps.isEmpty() || r < 12) {
                addApp();
            } else if (r < 47) {
                request();
            } else if (r < 62) {
                release(false);
            } else if (r < 67) {
                release(true);
            } else if (r < 71) {
                removeNode();
            } else if (r < 74) {
                removeApp();
            } else if (r < 79) {
                toggleBlacklist();
            } else if (r < 84) {
                preempt();
            } else if (r < 87) {
                changeQuota();
            } else if (r < 90) {
                restore();
            } else if (r < 93) {
                invalidRequest();
            } else if (r < 94) {
                failover();
            } else {
                request();
            }
        }

        // -------------------------------------------------------------- operations

        void addNode() {
            String id = NODE_IDS[rnd.nextInt(NODE_IDS.length)];
            ResourceVector total = NODE_TOTALS[rnd.nextInt(NODE_TOTALS.length)];
            NodeModel known = nodes.get(id);
            if (known == null) {
                String rack = RACKS[rnd.nextInt(RACKS.length - 1)];
                op = "addNode " + id + " " + rack + " " + total;
                nodes.put(id, new NodeModel(rack, total));
                apply(s.addNode(id, rack, total), List.of());
                return;
            }
            if (rnd.nextInt(8) == 0) {
                String other = known.rack().equals("r0") ? "r1" : "r0";
                op = "addNode (move) " + id + " " + other;
                expectRejected(IllegalArgumentException.class, () -> s.addNode(id, other, total));
                return;
            }
            op = "addNode (update) " + id + " " + total;
            if (!usedOn(id).fitsIn(total)) {
                expectRejected(IllegalArgumentException.class, () -> s.addNode(id, known.rack(), total));
                return;
            }
            nodes.put(id, new NodeModel(known.rack(), total));
            apply(s.addNode(id, known.rack(), total), List.of());
        }

        void removeNode() {
            String id = pick(new ArrayList<>(nodes.keySet()));
            op = "removeNode " + id;
            List<Grant> expected = new ArrayList<>();
            for (Grant g : held.values()) {
                if (g.nodeId().equals(id)) {
                    expected.add(g);
                }
            }
            Outcome o = s.removeNode(id);
            nodes.remove(id);
            apply(o, expected);
        }

        void addApp() {
            if (!apps.isEmpty() && rnd.nextInt(5) == 0) {
                String app = pick(new ArrayList<>(apps.keySet()));
                String group = apps.get(app);
                String other = group.equals("g2") ? "g3" : "g2";
                op = "addApp (again) " + app;
                Fixtures.Snapshot before = Fixtures.snapshot(s);
                s.addApp(app, group);
                Fixtures.assertUnchanged(before, s);
                expectRejected(IllegalArgumentException.class, () -> s.addApp(app, other));
                return;
            }
            String app = "a" + appCounter++;
            String group = pick(new ArrayList<>(groups.keySet()));
            op = "addApp " + app + " " + group;
            s.addApp(app, group);
            apps.put(app, group);
        }

        void removeApp() {
            String app = pick(new ArrayList<>(apps.keySet()));
            op = "removeApp " + app;
            List<Grant> expected = new ArrayList<>();
            for (Grant g : held.values()) {
                if (g.appId().equals(app)) {
                    expected.add(g);
                }
            }
            Outcome o = s.removeApp(app);
            apps.remove(app);
            buckets.keySet().removeIf(k -> k.app().equals(app));
            units.keySet().removeIf(k -> k.startsWith(app + "/"));
            apply(o, expected);
        }

        void request() {
            String app = pick(new ArrayList<>(apps.keySet()));
            String unit = "u" + rnd.nextInt(3);
            UnitModel spec = units.get(app + "/" + unit);
            ResourceVector shape = spec != null ? spec.shape() : SHAPES[rnd.nextInt(SHAPES.length)];
            int priority = spec != null ? spec.priority() : rnd.nextInt(3);
            LocalityLevel level = LocalityLevel.values()[rnd.nextInt(3)];
            String target = switch (level) {
                case MACHINE -> NODE_IDS[rnd.nextInt(NODE_IDS.length)];
                case RACK -> RACKS[rnd.nextInt(RACKS.length)];
                default -> "";
            };
            int delta = rnd.nextInt(9) - 3;
            boolean relax = rnd.nextBoolean();
            op = "request " + app + " " + unit + " " + shape + " p" + priority + " " + level + " '" + target
                    + "' " + delta + (relax ? " relaxed" : "");
            if (delta > 0 && !nodes.isEmpty() && nodes.values().stream().noneMatch(n -> shape.fitsIn(n.total()))) {
                expectRejected(IllegalArgumentException.class,
                        () -> s.request(app, unit, shape, priority, level, target, delta, relax));
                return;
            }
            Outcome o = s.request(app, unit, shape, priority, level, target, delta, relax);
            Key key = new Key(app, unit, level, target);
            if (delta > 0) {
                units.putIfAbsent(app + "/" + unit, new UnitModel(shape, priority));
                BucketModel b = buckets.computeIfAbsent(key, k -> new BucketModel());
                b.count += delta;
                b.relax = relax;
            } else if (delta < 0) {
                BucketModel b = buckets.get(key);
                if (b != null) {
                    b.count = Math.max(0, b.count + delta);
                    if (b.count == 0) {
                        buckets.remove(key);
                    }
                }
            }
            assertTrue(delta > 0 || o.isEmpty(), "a withdrawal issued grants");
            apply(o, List.of());
        }

        void invalidRequest() {
            if (units.isEmpty()) {
                return;
            }
            String key = pick(new ArrayList<>(units.keySet()));
            String app = key.substring(0, key.indexOf('/'));
            String unit = key.substring(key.indexOf('/') + 1);
            UnitModel spec = units.get(key);
            op = "request (conflicting) " + key;
            expectRejected(IllegalArgumentException.class, () -> s.request(app, unit, spec.shape(),
                    spec.priority() + 1, LocalityLevel.CLUSTER, "", 1, false));
        }

        void release(boolean revoke) {
            if (held.isEmpty() || rnd.nextInt(20) == 0) {
                long id = rnd.nextInt(1000);
                op = "release (unknown) " + id;
                if (!held.containsKey(id)) {
                    expectRejected(IllegalArgumentException.class, () -> s.release(id));
                }
                return;
            }
            Grant g = pick(new ArrayList<>(held.values()));
            op = (revoke ? "revoke " : "release ") + g.grantId();
            Outcome o = revoke ? s.revoke(g.grantId()) : s.release(g.grantId());
            apply(o, List.of(g));
        }

        void toggleBlacklist() {
            String id = NODE_IDS[rnd.nextInt(NODE_IDS.length)];
            if (blacklist.contains(id)) {
                op = "unblacklist " + id;
                blacklist.remove(id);
                apply(s.unblacklist(id), List.of());
            } else {
                op = "blacklist " + id;
                blacklist.add(id);
                s.blacklist(id);
            }
        }

        void changeQuota() {
            String name = pick(List.of("g1", "g2", "g3", "default"));
            QuotaGroup old = groups.get(name);
            ResourceVector max = switch (rnd.nextInt(6)) {
                case 0, 4, 5 -> null;
                case 1 -> old.min().plus(ResourceVector.of(2000, 2048));
                case 2 -> old.min().plus(ResourceVector.of(8000, 8192, Map.of("gpu", 2L)));
                default -> old.min().plus(ResourceVector.of(1000, 1024));
            };
            QuotaGroup q = new QuotaGroup(name, old.min(), max, 0.5 + rnd.nextInt(4));
            op = "setQuota " + q;
            groups.put(name, q);
            apply(s.setQuota(q), List.of());
        }

        void restore() {
            List<Grant> candidates = new ArrayList<>();
            for (Grant g : releasedHistory) {
                if (!held.containsKey(g.grantId())) {
                    candidates.add(g);
                }
            }
            if (candidates.isEmpty()) {
                return;
            }
            Grant g = pick(candidates);
            op = "restore " + g;
            NodeModel n = nodes.get(g.nodeId());
            UnitModel spec = units.get(g.appId() + "/" + g.unit());
            boolean ok = n != null && apps.containsKey(g.appId())
                    && g.shape().fitsIn(n.total().minus(usedOn(g.nodeId())))
                    && (spec == null || spec.shape().equals(g.shape()) && spec.priority() == g.priority());
            if (!ok) {
                expectRejected(IllegalStateException.class, () -> s.restore(g));
                return;
            }
            s.restore(g);
            held.put(g.grantId(), g);
            units.putIfAbsent(g.appId() + "/" + g.unit(), new UnitModel(g.shape(), g.priority()));
            if (rnd.nextBoolean()) {
                expectRejected(IllegalStateException.class, () -> s.restore(g)); // the id is held now
            }
        }

        void preempt() {
            op = "planPreemption";
            Fixtures.Snapshot before = Fixtures.snapshot(s);
            List<Grant> plan = s.planPreemption();
            Fixtures.assertUnchanged(before, s);
            Map<String, ResourceVector> taken = new HashMap<>();
            Set<Long> seen = new HashSet<>();
            for (Grant g : plan) {
                assertTrue(seen.add(g.grantId()), "grant planned twice: " + g);
                assertEquals(held.get(g.grantId()), g, "planned grant is not held");
                taken.merge(apps.get(g.appId()), g.shape(), ResourceVector::plus);
            }
            for (Map.Entry<String, ResourceVector> e : taken.entrySet()) {
                QuotaGroup q = groups.get(e.getKey());
                ResourceVector after = groupUsage(e.getKey()).minus(e.getValue());
                assertTrue(q.min().fitsIn(after), "PREEMPTION_PURE: group " + e.getKey() + " would fall to "
                        + after + " below its min " + q.min());
            }
            if (!plan.isEmpty()) {
                boolean someoneNeedy = false;
                for (QuotaGroup q : groups.values()) {
                    long waiting = buckets.entrySet().stream()
                            .filter(e -> apps.get(e.getKey().app()).equals(q.name()))
                            .mapToLong(e -> e.getValue().count).sum();
                    if (waiting > 0 && !q.min().isZero() && !q.min().fitsIn(groupUsage(q.name()))) {
                        someoneNeedy = true;
                    }
                }
                assertTrue(someoneNeedy, "preemption planned although no group below its min is waiting");
            }
            if (!plan.isEmpty()) {
                count("preemptions");
            }
            for (Grant g : plan) {
                op = "revoke (preemption) " + g.grantId();
                apply(s.revoke(g.grantId()), List.of(g));
                checkInvariants();
            }
        }

        /** A new leader: same nodes, groups, apps; grants restored; demand re-sent. */
        void failover() {
            op = "failover";
            Scheduler old = s;
            epoch++;
            Scheduler fresh = new Scheduler(epoch << 40);
            for (QuotaGroup q : groups.values()) {
                assertEquals(Outcome.NONE, fresh.setQuota(q));
            }
            for (String id : blacklist) {
                fresh.blacklist(id);
            }
            for (Map.Entry<String, NodeModel> e : nodes.entrySet()) {
                assertEquals(Outcome.NONE, fresh.addNode(e.getKey(), e.getValue().rack(), e.getValue().total()));
            }
            for (Map.Entry<String, String> e : apps.entrySet()) {
                fresh.addApp(e.getKey(), e.getValue());
            }
            for (Grant g : held.values()) {
                fresh.restore(g);
            }
            for (String app : apps.keySet()) {
                for (DemandStatus d : old.demandOf(app)) {
                    if (!nodes.isEmpty() && nodes.values().stream().noneMatch(n -> d.shape().fitsIn(n.total()))) {
                        // the nodes that could hold it are gone: the new leader refuses it
                        Scheduler target = fresh;
                        Fixtures.Snapshot before = Fixtures.snapshot(target);
                        try {
                            target.request(app, d.unit(), d.shape(), d.priority(), d.level(), d.target(),
                                    Math.toIntExact(d.outstanding()), d.relaxLocality());
                            fail("FAILOVER: demand larger than every node was accepted: " + d);
                        } catch (IllegalArgumentException expected) {
                            Fixtures.assertUnchanged(before, target);
                        }
                        buckets.remove(new Key(app, d.unit(), d.level(), d.target()));
                        continue;
                    }
                    Outcome o = fresh.request(app, d.unit(), d.shape(), d.priority(), d.level(), d.target(),
                            Math.toIntExact(d.outstanding()), d.relaxLocality());
                    assertEquals(Outcome.NONE, o, "FAILOVER: re-sent demand " + d + " was placed");
                }
            }
            s = fresh;
            count("failovers");
            // units with neither grants nor demand are forgotten by a new leader
            Set<String> live = new HashSet<>();
            for (Grant g : held.values()) {
                live.add(g.appId() + "/" + g.unit());
            }
            for (Key k : buckets.keySet()) {
                live.add(k.app() + "/" + k.unit());
            }
            units.keySet().retainAll(live);
        }

        // -------------------------------------------------------------- applying outcomes

        private void apply(Outcome o, List<Grant> expectedReleased) {
            assertEquals(sortById(expectedReleased), sortById(o.released()), "released grants");
            for (Grant g : o.released()) {
                held.remove(g.grantId());
                releasedHistory.add(g);
            }
            for (Grant g : o.granted()) {
                acceptGrant(g);
            }
            if (!o.granted().isEmpty()) {
                count("grants:" + op.split(" ")[0]);
            }
        }

        private void acceptGrant(Grant g) {
            assertTrue(everIssued.add(g.grantId()), "GRANTS_EXACT: id issued twice: " + g);
            assertFalse(held.containsKey(g.grantId()), "GRANTS_EXACT: id already held: " + g);
            assertTrue(apps.containsKey(g.appId()), "GRANTS_EXACT: grant to unknown app: " + g);
            NodeModel n = nodes.get(g.nodeId());
            assertTrue(n != null, "GRANTS_EXACT: grant on unknown node: " + g);
            assertFalse(blacklist.contains(g.nodeId()), "LOCALITY: grant on blacklisted node: " + g);
            UnitModel spec = units.get(g.appId() + "/" + g.unit());
            assertEquals(spec, new UnitModel(g.shape(), g.priority()), "grant does not match its unit: " + g);
            Key key = new Key(g.appId(), g.unit(), g.requestedLevel(), g.requestedTarget());
            BucketModel b = buckets.get(key);
            assertTrue(b != null && b.count > 0, "DEMAND_EXACT: grant from an empty bucket: " + g);
            if (!b.relax) {
                if (key.level() == LocalityLevel.MACHINE) {
                    assertEquals(key.target(), g.nodeId(), "LOCALITY: strict machine demand placed elsewhere");
                } else if (key.level() == LocalityLevel.RACK) {
                    assertEquals(key.target(), n.rack(), "LOCALITY: strict rack demand placed elsewhere");
                }
            }
            LocalityLevel achieved;
            String achievedTarget;
            NodeModel targetNode = key.level() == LocalityLevel.MACHINE ? nodes.get(key.target()) : null;
            if (key.level() == LocalityLevel.MACHINE && key.target().equals(g.nodeId())) {
                achieved = LocalityLevel.MACHINE;
                achievedTarget = g.nodeId();
            } else if (key.level() == LocalityLevel.RACK && key.target().equals(n.rack())
                    || targetNode != null && targetNode.rack().equals(n.rack())) {
                achieved = LocalityLevel.RACK;
                achievedTarget = n.rack();
            } else {
                achieved = LocalityLevel.CLUSTER;
                achievedTarget = "";
            }
            assertEquals(achieved, g.satisfiedLevel(), "LOCALITY: satisfied level of " + g);
            assertEquals(achievedTarget, g.satisfiedTarget(), "LOCALITY: satisfied target of " + g);
            if (--b.count == 0) {
                buckets.remove(key);
            }
            held.put(g.grantId(), g);
            grantedGroups.add(apps.get(g.appId()));
            // NO_OVERALLOCATION at the moment of issue (later grants of the same call included)
            assertFalse(nodes.get(g.nodeId()).total().minus(usedOn(g.nodeId())).anyNegative(),
                    "NO_OVERALLOCATION: node " + g.nodeId() + " over-allocated by " + g);
        }

        // -------------------------------------------------------------- invariants

        void checkInvariants() {
            // nodes
            List<String> liveIds = new ArrayList<>();
            for (NodeStatus ns : s.nodes()) {
                liveIds.add(ns.nodeId());
                NodeModel n = nodes.get(ns.nodeId());
                assertTrue(n != null, "node " + ns.nodeId() + " should not exist");
                assertEquals(n.rack(), ns.rack(), "rack of " + ns.nodeId());
                assertEquals(n.total(), ns.total(), "total of " + ns.nodeId());
                ResourceVector used = usedOn(ns.nodeId());
                assertEquals(n.total().minus(used), ns.free(), "NO_OVERALLOCATION: free of " + ns.nodeId());
                assertFalse(ns.free().anyNegative(), "NO_OVERALLOCATION: " + ns);
                assertEquals(blacklist.contains(ns.nodeId()), ns.blacklisted(), "blacklisted " + ns.nodeId());
                assertEquals(idsOn(ns.nodeId()), ids(s.grantsOn(ns.nodeId())), "GRANTS_EXACT: grants on " + ns.nodeId());
                assertEquals(idsOn(ns.nodeId()).size(), ns.grantCount());
            }
            assertEquals(new ArrayList<>(nodes.keySet()), liveIds, "live nodes");
            // apps and demand
            List<String> appIds = new ArrayList<>();
            long pending = 0;
            for (AppStatus as : s.apps()) {
                appIds.add(as.appId());
                assertEquals(apps.get(as.appId()), as.group(), "group of " + as.appId());
                List<Grant> mine = new ArrayList<>();
                ResourceVector inUse = ResourceVector.ZERO;
                for (Grant g : held.values()) {
                    if (g.appId().equals(as.appId())) {
                        mine.add(g);
                        inUse = inUse.plus(g.shape());
                    }
                }
                assertEquals(mine, sortById(s.grantsOf(as.appId())), "GRANTS_EXACT: grants of " + as.appId());
                assertEquals(mine.size(), as.grantCount());
                assertEquals(inUse, as.inUse(), "in use by " + as.appId());
                Map<Key, String> expected = new HashMap<>();
                long outstanding = 0;
                for (Map.Entry<Key, BucketModel> e : buckets.entrySet()) {
                    if (e.getKey().app().equals(as.appId())) {
                        expected.put(e.getKey(), e.getValue().count + (e.getValue().relax ? "r" : ""));
                        outstanding += e.getValue().count;
                    }
                }
                Map<Key, String> actual = new HashMap<>();
                for (DemandStatus d : s.demandOf(as.appId())) {
                    actual.put(new Key(as.appId(), d.unit(), d.level(), d.target()),
                            d.outstanding() + (d.relaxLocality() ? "r" : ""));
                    assertEquals(units.get(as.appId() + "/" + d.unit()), new UnitModel(d.shape(), d.priority()));
                }
                assertEquals(expected, actual, "DEMAND_EXACT: buckets of " + as.appId());
                assertEquals(outstanding, as.outstandingUnits(), "DEMAND_EXACT: outstanding of " + as.appId());
                pending += outstanding;
            }
            assertEquals(new ArrayList<>(apps.keySet()), appIds, "live apps");
            assertEquals(pending, s.pendingUnits(), "DEMAND_EXACT: pending units");
            // grants
            assertEquals(held.size(), s.grantCount(), "GRANTS_EXACT: grant count");
            for (Grant g : held.values()) {
                assertEquals(g, s.grant(g.grantId()).orElse(null), "GRANTS_EXACT: grant " + g.grantId());
                assertTrue(apps.containsKey(g.appId()) && nodes.containsKey(g.nodeId()), "GRANTS_EXACT: orphan " + g);
            }
            // groups
            for (GroupStatus gs : s.groups()) {
                assertEquals(groups.get(gs.name()), gs.quota(), "quota of " + gs.name());
                ResourceVector usage = groupUsage(gs.name());
                assertEquals(usage, gs.usage(), "usage of group " + gs.name());
                if (grantedGroups.contains(gs.name()) && gs.quota().max() != null) {
                    assertTrue(usage.fitsIn(gs.quota().max()), "QUOTA_MAX: group " + gs.name() + " at " + usage);
                }
            }
            assertEquals(groups.keySet(), new HashSet<>(s.groups().stream().map(GroupStatus::name).toList()));
            // work conservation
            for (Map.Entry<Key, BucketModel> e : buckets.entrySet()) {
                Key k = e.getKey();
                UnitModel spec = units.get(k.app() + "/" + k.unit());
                String group = apps.get(k.app());
                QuotaGroup q = groups.get(group);
                if (q.max() != null && !groupUsage(group).sumFitsIn(spec.shape(), q.max())) {
                    count("waiting:max-blocked");
                    continue;
                }
                count("waiting:checked");
                for (Map.Entry<String, NodeModel> n : nodes.entrySet()) {
                    if (blacklist.contains(n.getKey()) || !mayUse(k, e.getValue().relax, n.getKey(), n.getValue())) {
                        continue;
                    }
                    ResourceVector free = n.getValue().total().minus(usedOn(n.getKey()));
                    if (spec.shape().fitsIn(free)) {
                        fail("WORK_CONSERVING: " + k + " x" + e.getValue().count + " waits but fits node "
                                + n.getKey() + " (free " + free + ")");
                    }
                }
            }
        }

        private static boolean mayUse(Key k, boolean relax, String nodeId, NodeModel n) {
            if (relax || k.level() == LocalityLevel.CLUSTER) {
                return true;
            }
            return k.level() == LocalityLevel.MACHINE ? k.target().equals(nodeId) : k.target().equals(n.rack());
        }

        // -------------------------------------------------------------- helpers

        private void expectRejected(Class<? extends RuntimeException> type, Runnable call) {
            Fixtures.Snapshot before = Fixtures.snapshot(s);
            try {
                call.run();
                fail("expected " + type.getSimpleName());
            } catch (RuntimeException e) {
                if (!type.isInstance(e)) {
                    throw e;
                }
            }
            Fixtures.assertUnchanged(before, s);
            count("rejected:" + type.getSimpleName());
        }

        private ResourceVector usedOn(String nodeId) {
            ResourceVector used = ResourceVector.ZERO;
            for (Grant g : held.values()) {
                if (g.nodeId().equals(nodeId)) {
                    used = used.plus(g.shape());
                }
            }
            return used;
        }

        private ResourceVector groupUsage(String group) {
            ResourceVector used = ResourceVector.ZERO;
            for (Grant g : held.values()) {
                if (group.equals(apps.get(g.appId()))) {
                    used = used.plus(g.shape());
                }
            }
            return used;
        }

        private List<Long> idsOn(String nodeId) {
            List<Long> out = new ArrayList<>();
            for (Grant g : held.values()) {
                if (g.nodeId().equals(nodeId)) {
                    out.add(g.grantId());
                }
            }
            return out;
        }

        private static List<Long> ids(List<Grant> grants) {
            return grants.stream().map(Grant::grantId).sorted().toList();
        }

        private static List<Grant> sortById(List<Grant> grants) {
            List<Grant> out = new ArrayList<>(grants);
            out.sort((a, b) -> Long.compare(a.grantId(), b.grantId()));
            return out;
        }

        private <T> T pick(List<T> list) {
            return list.get(rnd.nextInt(list.size()));
        }
    }
}
