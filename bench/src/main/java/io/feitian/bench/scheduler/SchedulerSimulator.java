package io.feitian.bench.scheduler;

import io.feitian.bench.LatencyHistogram;
import io.feitian.common.resource.ResourceVector;
import io.feitian.fuxi.master.scheduler.AppStatus;
import io.feitian.fuxi.master.scheduler.DemandStatus;
import io.feitian.fuxi.master.scheduler.Grant;
import io.feitian.fuxi.master.scheduler.GroupStatus;
import io.feitian.fuxi.master.scheduler.LocalityLevel;
import io.feitian.fuxi.master.scheduler.NodeStatus;
import io.feitian.fuxi.master.scheduler.Outcome;
import io.feitian.fuxi.master.scheduler.QuotaGroup;
import io.feitian.fuxi.master.scheduler.Scheduler;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A single-threaded simulation of a busy cluster driving the pure Fuxi scheduler core, to measure
 * how fast it makes decisions. Not a test: it asserts nothing about time.
 *
 * <p>The cluster: {@code --nodes} nodes of 16 cores / 64 GiB in {@code --racks} racks (default
 * nodes / 125), and {@code --apps} applications spread over four quota groups: "prod" (min 30%
 * of the cluster, weight 4), "dev" (min 10%, max 40%, weight 2), "batch" (weight 1) and "adhoc"
 * (max 20%, weight 1). Each application has two or three units of typical shapes (0.5 to 4
 * cores) and priorities 0..3, and asks with a mix of localities: by default 50% anywhere, 30% a
 * random rack, 20% a random machine, 80% of the rack and machine requests relaxed.
 *
 * <p>Phases: fill (every application asks for its share of 1.3x the cluster, in batches of 1 to
 * 20 units), warm-up, then the measured steady state: work finishes (a uniformly random held
 * grant is released) and its application asks for one more unit, so every release triggers
 * scheduling of waiting demand on the freed node. Every {@code --churn} operations one
 * application finishes (removeApp: all its grants released and rescheduled) and a new one
 * arrives with the same amount of work. Strict (unrelaxed) asks still waiting after
 * {@code --strict-timeout} operations are withdrawn and asked again relaxed, as an application
 * master doing delay scheduling would; without this, strict asks for busy machines pile up and
 * the backlog of placeable demand drains away.
 *
 * <p>Reported: grants per second (wall clock, including the simulator's own bookkeeping, and
 * counting only time inside scheduler calls), latency percentiles per scheduler call that issued
 * at least one grant and per grant, removeApp latency, GC time, cluster utilisation, and live
 * heap after a full GC. {@code --verify} then checks at the end that every waiting unit is held
 * back by its group's max or has no room where it may go, and prints the breakdown.
 *
 * <pre>
 * java -cp bench/target/classes:$(cat bench/target/classpath.txt) \
 *     io.feitian.bench.scheduler.SchedulerSimulator --nodes 5000 --apps 1000 --seconds 30 --warmup 10 --verify
 * </pre>
 */
public final class SchedulerSimulator {

    private static final ResourceVector[] SHAPES = {
        ResourceVector.of(1000, 2048),
        ResourceVector.of(2000, 4096),
        ResourceVector.of(500, 1024),
        ResourceVector.of(4000, 8192),
        ResourceVector.of(1000, 4096),
        ResourceVector.of(2000, 2048),
    };
    private static final String[] GROUPS = {"prod", "dev", "batch", "adhoc"};

    // options
    private int nodes = 5000;
    private int racks = -1;
    private int apps = 1000;
    private double seconds = 30;
    private double warmupSeconds = 10;
    private long seed = 42;
    private long churn = 20_000;
    private double overcommit = 1.3;
    private int machinePercent = 20;
    private int rackPercent = 30;
    private int relaxPercent = 80;
    private boolean verify;
    private long strictTimeout = 50_000;

    // simulation state
    private SplittableRandom rnd;
    private Scheduler scheduler;
    private ResourceVector nodeTotal = ResourceVector.of(16_000, 65_536);
    private final List<AppSpec> appSpecs = new ArrayList<>();
    private int appCounter;
    private Grant[] live = new Grant[1 << 16];
    private int liveCount;
    private final LongIntMap livePos = new LongIntMap();

    // measurement
    private boolean measuring;
    private long grants;
    private long schedulerNanos;
    private long calls;
    private long callsWithGrants;
    private LatencyHistogram perCall = new LatencyHistogram();
    private LatencyHistogram perGrant = new LatencyHistogram();
    private LatencyHistogram allCalls = new LatencyHistogram();
    private LatencyHistogram removeApps = new LatencyHistogram();
    private long removedGrants;

    private record Unit(String name, ResourceVector shape, int priority) {}

    private record AppSpec(String id, List<Unit> units) {}

    /** A strict-locality ask, withdrawn and re-sent relaxed if still waiting after a while. */
    private record StrictAsk(AppSpec app, Unit unit, LocalityLevel level, String target, int count, long op) {}

    private final ArrayDeque<StrictAsk> strictAsks = new ArrayDeque<>();
    private long opCounter;

    public static void main(String[] args) {
        SchedulerSimulator sim = new SchedulerSimulator();
        sim.parse(args);
        sim.run();
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--verify")) {
                verify = true;
                continue;
            }
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println("options: --nodes N --racks N --apps N --seconds S --warmup S --seed N"
                        + " --churn OPS --overcommit X --machine PCT --rack PCT --relax PCT --strict-timeout OPS --verify");
                System.exit(0);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--nodes" -> nodes = Integer.parseInt(v);
                case "--racks" -> racks = Integer.parseInt(v);
                case "--apps" -> apps = Integer.parseInt(v);
                case "--seconds" -> seconds = Double.parseDouble(v);
                case "--warmup" -> warmupSeconds = Double.parseDouble(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--churn" -> churn = Long.parseLong(v);
                case "--overcommit" -> overcommit = Double.parseDouble(v);
                case "--machine" -> machinePercent = Integer.parseInt(v);
                case "--rack" -> rackPercent = Integer.parseInt(v);
                case "--relax" -> relaxPercent = Integer.parseInt(v);
                case "--strict-timeout" -> strictTimeout = Long.parseLong(v);
                default -> throw new IllegalArgumentException("unknown option " + a + " (try --help)");
            }
        }
        if (racks <= 0) {
            racks = Math.max(1, nodes / 125);
        }
    }

    private void run() {
        rnd = new SplittableRandom(seed);
        System.out.printf(Locale.ROOT, "scheduler simulator: %d nodes in %d racks, %d apps, seed %d, java %s, %d cpus%n",
                nodes, racks, apps, seed, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        long t0 = System.nanoTime();
        scheduler = new Scheduler(1L << 40);
        ResourceVector cluster = ResourceVector.of(nodeTotal.cpuMillis() * nodes, nodeTotal.memoryMib() * nodes);
        scheduler.setQuota(new QuotaGroup("prod", fraction(cluster, 0.3), null, 4));
        scheduler.setQuota(new QuotaGroup("dev", fraction(cluster, 0.1), fraction(cluster, 0.4), 2));
        scheduler.setQuota(QuotaGroup.unlimited("batch", 1));
        scheduler.setQuota(new QuotaGroup("adhoc", ResourceVector.ZERO, fraction(cluster, 0.2), 1));
        int perRack = (nodes + racks - 1) / racks;
        for (int i = 0; i < nodes; i++) {
            scheduler.addNode(nodeId(i), "r" + (i / perRack), nodeTotal);
        }
        for (int i = 0; i < apps; i++) {
            newApp();
        }
        // fill: every app asks for its share of overcommit x the cluster
        double avgUnitCpu = 0;
        for (ResourceVector s : SHAPES) {
            avgUnitCpu += s.cpuMillis();
        }
        avgUnitCpu /= SHAPES.length;
        long units = (long) (overcommit * cluster.cpuMillis() / avgUnitCpu);
        long perApp = Math.max(1, units / apps);
        for (AppSpec a : appSpecs) {
            long left = perApp;
            while (left > 0) {
                int n = (int) Math.min(left, 1 + rnd.nextInt(20));
                ask(a, n);
                left -= n;
            }
        }
        System.out.printf(Locale.ROOT, "setup: %.1f s, %d grants held, %d units waiting%n",
                (System.nanoTime() - t0) / 1e9, scheduler.grantCount(), scheduler.pendingUnits());

        steady(warmupSeconds);
        System.out.printf(Locale.ROOT, "warm-up: %.0f s done, %d grants held, %d units waiting%n",
                warmupSeconds, scheduler.grantCount(), scheduler.pendingUnits());

        long gcBefore = gcMillis();
        grants = schedulerNanos = calls = callsWithGrants = 0;
        perCall = new LatencyHistogram();
        perGrant = new LatencyHistogram();
        allCalls = new LatencyHistogram();
        removeApps = new LatencyHistogram();
        removedGrants = 0;
        measuring = true;
        long start = System.nanoTime();
        long ops = steady(seconds);
        double wall = (System.nanoTime() - start) / 1e9;
        measuring = false;
        long gcDuring = gcMillis() - gcBefore;

        long heap = liveHeap();
        System.out.println();
        System.out.printf(Locale.ROOT, "steady state: %.1f s, %d operations (release + request), %d scheduler calls%n",
                wall, ops, calls);
        System.out.printf(Locale.ROOT, "  grants issued          %,d%n", grants);
        System.out.printf(Locale.ROOT, "  grants/s (wall clock)  %,.0f%n", grants / wall);
        System.out.printf(Locale.ROOT, "  grants/s (in calls)    %,.0f   (%.0f%% of wall time inside scheduler calls)%n",
                grants / (schedulerNanos / 1e9), 100.0 * schedulerNanos / 1e9 / wall);
        System.out.printf(Locale.ROOT, "  calls issuing >=1 grant %,d%n", callsWithGrants);
        print("  per call with grants ", perCall);
        print("  per grant            ", perGrant);
        print("  per call (all)       ", allCalls);
        print("  removeApp (churn)    ", removeApps);
        System.out.printf(Locale.ROOT, "  removeApp calls        %d, releasing %.0f grants each on average%n",
                removeApps.count(), removeApps.count() == 0 ? 0.0 : (double) removedGrants / removeApps.count());
        System.out.printf(Locale.ROOT, "  GC time during run     %d ms%n", gcDuring);
        System.out.printf(Locale.ROOT, "  cluster in use at end  cpu %.1f%%  mem %.1f%%%n", used(true), used(false));
        System.out.printf(Locale.ROOT, "  live heap after GC     %,d MiB (%d grants held, %d units waiting)%n",
                heap >> 20, scheduler.grantCount(), scheduler.pendingUnits());
        if (verify) {
            verifyWorkConservation();
        }
    }

    /**
     * Why is demand waiting? Every waiting bucket must be held back by its group's max or have no
     * node with room where it may go; anything else is a scheduler bug. Prints the breakdown.
     */
    private void verifyWorkConservation() {
        List<NodeStatus> all = scheduler.nodes();
        Map<String, List<NodeStatus>> byRack = new HashMap<>();
        for (NodeStatus n : all) {
            byRack.computeIfAbsent(n.rack(), r -> new ArrayList<>()).add(n);
        }
        Map<String, GroupStatus> groups = new HashMap<>();
        for (GroupStatus g : scheduler.groups()) {
            groups.put(g.name(), g);
        }
        long maxHeld = 0;
        long noRoom = 0;
        long strictNoRoom = 0;
        for (AppStatus a : scheduler.apps()) {
            GroupStatus g = groups.get(a.group());
            for (DemandStatus d : scheduler.demandOf(a.appId())) {
                ResourceVector max = g.quota().max();
                if (max != null && !g.usage().sumFitsIn(d.shape(), max)) {
                    maxHeld += d.outstanding();
                    continue;
                }
                List<NodeStatus> where;
                if (d.relaxLocality() || d.level() == LocalityLevel.CLUSTER) {
                    where = all;
                } else if (d.level() == LocalityLevel.RACK) {
                    where = byRack.getOrDefault(d.target(), List.of());
                } else {
                    where = scheduler.node(d.target()).map(List::of).orElse(List.of());
                }
                for (NodeStatus n : where) {
                    if (!n.blacklisted() && !n.draining() && d.shape().fitsIn(n.free())) {
                        throw new IllegalStateException("waiting demand fits: " + d + " on " + n);
                    }
                }
                if (where == all) {
                    noRoom += d.outstanding();
                } else {
                    strictNoRoom += d.outstanding();
                }
            }
        }
        System.out.printf(Locale.ROOT, "  verified: waiting units held back by quota max %d, by no room anywhere %d,"
                + " by no room at a strict machine/rack %d%n", maxHeld, noRoom, strictNoRoom);
    }

    /** Percentage of the cluster's CPU (or memory) held by grants. */
    private double used(boolean cpu) {
        double held = 0;
        for (int i = 0; i < liveCount; i++) {
            held += cpu ? live[i].shape().cpuMillis() : live[i].shape().memoryMib();
        }
        double total = (double) nodes * (cpu ? nodeTotal.cpuMillis() : nodeTotal.memoryMib());
        return 100 * held / total;
    }

    private static void print(String label, LatencyHistogram h) {
        System.out.printf(Locale.ROOT, "%s p50 %s  p99 %s  p99.9 %s  max %s  mean %s%n", label,
                us(h.percentile(0.5)), us(h.percentile(0.99)), us(h.percentile(0.999)), us(h.max()), us((long) h.mean()));
    }

    private static String us(long nanos) {
        return String.format(Locale.ROOT, "%.1fus", nanos / 1000.0);
    }

    private static ResourceVector fraction(ResourceVector v, double f) {
        return ResourceVector.of((long) (v.cpuMillis() * f), (long) (v.memoryMib() * f));
    }

    private static String nodeId(int i) {
        return "n" + i;
    }

    /** Work finishes and is replaced, for a while; returns the number of operations. */
    private long steady(double forSeconds) {
        long deadline = System.nanoTime() + (long) (forSeconds * 1e9);
        long ops = 0;
        while (true) {
            for (int i = 0; i < 1000; i++) {
                if (liveCount == 0) {
                    throw new IllegalStateException("no grants held: the workload dried up");
                }
                Grant g = live[rnd.nextInt(liveCount)];
                timed(() -> scheduler.release(g.grantId()));
                ask(app(g.appId()), 1);
                ops++;
                opCounter++;
                relaxOldStrictAsks();
                if (churn > 0 && ops % churn == 0) {
                    replaceAnApp();
                }
            }
            if (System.nanoTime() >= deadline) {
                return ops;
            }
        }
    }

    private final Map<String, AppSpec> byId = new HashMap<>();

    /**
     * Like an application master doing delay scheduling: strict asks still waiting after
     * {@code --strict-timeout} operations are withdrawn and asked again with relaxed locality.
     * (Withdrawing never goes below zero, so asks already granted withdraw nothing.)
     */
    private void relaxOldStrictAsks() {
        while (!strictAsks.isEmpty() && opCounter - strictAsks.peekFirst().op() > strictTimeout) {
            StrictAsk s = strictAsks.pollFirst();
            if (!byId.containsKey(s.app().id())) {
                continue;
            }
            String app = s.app().id();
            Unit u = s.unit();
            long before = scheduler.app(app).orElseThrow().outstandingUnits();
            timed(() -> scheduler.request(app, u.name(), u.shape(), u.priority(), s.level(), s.target(), -s.count(), false));
            int withdrawn = (int) (before - scheduler.app(app).orElseThrow().outstandingUnits());
            if (withdrawn > 0) {
                timed(() -> scheduler.request(app, u.name(), u.shape(), u.priority(), s.level(), s.target(), withdrawn, true));
            }
        }
    }

    private AppSpec app(String id) {
        return byId.get(id);
    }

    /** An application finishes; a new one arrives with as much work (held + waiting) as it had. */
    private void replaceAnApp() {
        AppSpec gone = appSpecs.remove(rnd.nextInt(appSpecs.size()));
        byId.remove(gone.id());
        long work = scheduler.app(gone.id()).orElseThrow().outstandingUnits();
        long t = System.nanoTime();
        int[] released = new int[1];
        timed(() -> {
            Outcome o = scheduler.removeApp(gone.id());
            released[0] = o.released().size();
            return o;
        });
        if (measuring) {
            removeApps.record(System.nanoTime() - t);
            removedGrants += released[0];
        }
        work += released[0];
        AppSpec a = newApp();
        while (work > 0) {
            int n = (int) Math.min(work, 1 + rnd.nextInt(20));
            ask(a, n);
            work -= n;
        }
    }

    private AppSpec newApp() {
        String id = "app" + appCounter++;
        String group = GROUPS[appCounter % GROUPS.length];
        scheduler.addApp(id, group);
        List<Unit> units = new ArrayList<>();
        int n = 2 + rnd.nextInt(2);
        for (int i = 0; i < n; i++) {
            units.add(new Unit("u" + i, SHAPES[rnd.nextInt(SHAPES.length)], rnd.nextInt(4)));
        }
        AppSpec a = new AppSpec(id, units);
        appSpecs.add(a);
        byId.put(id, a);
        return a;
    }

    /** The app asks for n more units of one of its units, at a random place in the tree. */
    private void ask(AppSpec a, int n) {
        Unit u = a.units().get(rnd.nextInt(a.units().size()));
        int p = rnd.nextInt(100);
        LocalityLevel level;
        String target;
        if (p < machinePercent) {
            level = LocalityLevel.MACHINE;
            target = nodeId(rnd.nextInt(nodes));
        } else if (p < machinePercent + rackPercent) {
            level = LocalityLevel.RACK;
            target = "r" + rnd.nextInt(racks);
        } else {
            level = LocalityLevel.CLUSTER;
            target = "";
        }
        boolean relax = level != LocalityLevel.CLUSTER && rnd.nextInt(100) < relaxPercent;
        timed(() -> scheduler.request(a.id(), u.name(), u.shape(), u.priority(), level, target, n, relax));
        if (level != LocalityLevel.CLUSTER && !relax && strictTimeout > 0) {
            strictAsks.addLast(new StrictAsk(a, u, level, target, n, opCounter));
        }
    }

    private interface Call {
        Outcome run();
    }

    private void timed(Call c) {
        long t = System.nanoTime();
        Outcome o = c.run();
        long d = System.nanoTime() - t;
        for (Grant g : o.released()) {
            forget(g);
        }
        List<Grant> issued = o.granted();
        for (Grant g : issued) {
            remember(g);
        }
        if (measuring) {
            calls++;
            schedulerNanos += d;
            allCalls.record(d);
            int k = issued.size();
            if (k > 0) {
                grants += k;
                callsWithGrants++;
                perCall.record(d);
                perGrant.record(d / k, k);
            }
        }
    }

    private void remember(Grant g) {
        if (liveCount == live.length) {
            live = java.util.Arrays.copyOf(live, liveCount * 2);
        }
        livePos.put(g.grantId(), liveCount);
        live[liveCount++] = g;
    }

    private void forget(Grant g) {
        int pos = livePos.remove(g.grantId());
        if (pos < 0) {
            throw new IllegalStateException("released grant was not held: " + g);
        }
        Grant last = live[--liveCount];
        live[liveCount] = null;
        if (pos != liveCount) {
            live[pos] = last;
            livePos.put(last.grantId(), pos);
        }
    }

    private static long gcMillis() {
        long t = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            t += Math.max(0, gc.getCollectionTime());
        }
        return t;
    }

    private static long liveHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
