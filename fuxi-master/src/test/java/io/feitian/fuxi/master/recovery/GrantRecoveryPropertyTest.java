package io.feitian.fuxi.master.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.common.resource.ResourceVector;
import io.feitian.fuxi.master.scheduler.Grant;
import io.feitian.fuxi.master.scheduler.LocalityLevel;
import io.feitian.fuxi.master.scheduler.Outcome;
import io.feitian.fuxi.master.scheduler.Scheduler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A leader failover replayed many times from printed seeds: the nodes and
 * application masters of the old term come back to a new {@link GrantRecovery}
 * in random order, some late, some twice, some lost again, with messages to
 * them dropped (a dropped message is a broken stream: the peer registers or
 * attaches again). Whatever the schedule, once everyone is back:
 * <ul>
 *   <li>nodes, masters and the books agree on every grant (no grant kept that
 *       nobody uses, none used that the books do not hold);</li>
 *   <li>work that a node still ran and its master still claimed survives if the
 *       node came back while unseen nodes may return and was never lost;</li>
 *   <li>no node is ever over-allocated, and no claim stays parked.</li>
 * </ul>
 * Replay a failure with {@code -Dseed=N} (the seed printed in the failure).
 */
class GrantRecoveryPropertyTest {
  private static final int RUNS = 400;
  private static final long WINDOW = 5_000;
  private static final long NODE_TIMEOUT = 3_000;
  private static final ResourceVector NODE_TOTAL = ResourceVector.of(4000, 4096);
  private static final ResourceVector UNIT = ResourceVector.of(1000, 1024);
  private static final ResourceVector MASTER_SHAPE = ResourceVector.of(100, 128);

  @Test
  void nodesMastersAndBooksAgreeWhateverTheOrderOfReportsAndClaims() {
    long seed = Long.getLong("seed", System.nanoTime());
    for (int run = 0; run < RUNS; run++) {
      long s = seed + run;
      try {
        new Simulation(new Random(s)).run();
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("failover schedule with seed " + s + " (replay: -Dseed=" + s + "): "
            + e.getMessage(), e);
      }
    }
  }

  /** What each side knew of a grant of the old term when its leader died. */
  private enum Known { BOTH, NODE_ONLY, MASTER_ONLY }

  private static final class Node {
    final String id;
    final Set<Long> runs = new TreeSet<>();
    boolean registered;
    boolean everLost;
    long firstRegisteredAt = -1;

    Node(String id) {
      this.id = id;
    }
  }

  private static final class Master {
    final String appId;
    final Set<Long> holds = new TreeSet<>();
    boolean connected;
    boolean ended;

    Master(String appId) {
      this.appId = appId;
    }
  }

  private record Event(long at, int seq, Runnable action) {}

  private static final class Simulation {
    final Random random;
    final Scheduler books = new Scheduler(2L << 40);
    final GrantRecovery recovery = new GrantRecovery(books, 0, WINDOW, NODE_TIMEOUT);
    final Map<String, Node> nodes = new TreeMap<>();
    final Map<String, Master> masters = new TreeMap<>();
    final Map<Long, Grant> grants = new HashMap<>();
    final Map<Long, Known> known = new HashMap<>();
    final PriorityQueue<Event> events = new PriorityQueue<>(
        (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Integer.compare(a.seq, b.seq));
    final List<String> trace = new ArrayList<>();
    /** Grants a master gave back: they need not survive. */
    final Set<Long> given = new HashSet<>();
    int seq;
    long now;
    /** Messages are only dropped before the final round, so that the run ends. */
    boolean lossy = true;

    Simulation(Random random) {
      this.random = random;
    }

    void run() {
      buildOldTerm();
      scheduleComebacks();
      drain();
      // Everyone is back in the end: nodes still away register, the clock passes every deadline.
      lossy = false;
      now = WINDOW + NODE_TIMEOUT + 20_000;
      for (Node n : nodes.values()) {
        if (!n.registered) {
          register(n);
        }
      }
      expireParkedClaims();
      drain();
      trace("end");
      checkAgreement();
      checkClaimedWorkSurvived();
      assertThat(recovery.parkedClaimCount()).as("claims still parked").isZero();
    }

    // ---- the old term -----------------------------------------------------------------------

    void buildOldTerm() {
      int nodeCount = 2 + random.nextInt(4);
      int appCount = 1 + random.nextInt(3);
      for (int i = 0; i < nodeCount; i++) {
        nodes.put("n" + i, new Node("n" + i));
      }
      for (int i = 0; i < appCount; i++) {
        Master m = new Master("a" + i);
        masters.put(m.appId, m);
        books.addApp(m.appId, "default");
      }
      long nextId = 1L << 40;
      List<String> nodeIds = new ArrayList<>(nodes.keySet());
      List<String> appIds = new ArrayList<>(masters.keySet());
      for (String appId : appIds) {
        // Each application's own master runs somewhere (a node may not know it: it never started).
        Grant g = grant(nextId++, appId, GrantRecovery.MASTER_UNIT, pick(nodeIds), MASTER_SHAPE);
        if (random.nextInt(10) > 0) {
          nodes.get(g.nodeId()).runs.add(g.grantId());
        }
      }
      for (String nodeId : nodeIds) {
        int units = random.nextInt(4); // at most 3 units and the masters' slivers fit in 4
        for (int k = 0; k < units; k++) {
          // An application that ended before the failover leaves a grant only its node knows.
          boolean ended = random.nextInt(12) == 0;
          Grant g = grant(nextId++, ended ? "gone" : pick(appIds), "u", nodeId, UNIT);
          Known k2 = ended ? Known.NODE_ONLY : Known.values()[weighted(6, 2, 2)];
          known.put(g.grantId(), k2);
          if (k2 != Known.MASTER_ONLY) {
            nodes.get(nodeId).runs.add(g.grantId());
          }
          if (k2 != Known.NODE_ONLY) {
            masters.get(g.appId()).holds.add(g.grantId());
          }
        }
      }
    }

    Grant grant(long id, String appId, String unit, String nodeId, ResourceVector shape) {
      Grant g = new Grant(id, appId, unit, nodeId, shape, 0, LocalityLevel.CLUSTER, "");
      grants.put(id, g);
      return g;
    }

    // ---- the new term -----------------------------------------------------------------------

    void scheduleComebacks() {
      long horizon = WINDOW + NODE_TIMEOUT + 3_000;
      for (Node n : nodes.values()) {
        long at = random.nextLong(horizon);
        at(at, () -> register(n));
        if (random.nextInt(4) == 0) {
          at(at + random.nextLong(horizon), () -> register(n)); // its stream broke: it registers again
        }
        if (random.nextInt(5) == 0) {
          long lostAt = at + 1 + random.nextLong(horizon);
          at(lostAt, () -> lose(n));
          at(lostAt + 1 + random.nextLong(horizon), () -> register(n));
        }
      }
      for (Master m : masters.values()) {
        long at = random.nextLong(horizon);
        at(at, () -> attach(m));
        if (random.nextInt(4) == 0) {
          at(at + random.nextLong(horizon), () -> attach(m));
        }
        if (random.nextInt(3) == 0) {
          at(at + random.nextLong(horizon), () -> giveBack(m));
        }
        if (random.nextInt(6) == 0) {
          at(at + random.nextLong(horizon), () -> end(m));
        }
      }
      for (long t = 0; t <= horizon * 3; t += 500) {
        at(t, this::expireParkedClaims);
      }
    }

    void register(Node n) {
      if (n.registered) {
        trace("register again " + n.id + " " + n.runs);
      } else {
        trace("register " + n.id + " " + n.runs);
      }
      List<Grant> reported = n.runs.stream().map(grants::get).toList();
      GrantRecovery.Registration r = recovery.register(n.id, "r0", NODE_TOTAL, reported);
      if (!n.registered && n.firstRegisteredAt < 0) {
        n.firstRegisteredAt = now;
      }
      n.registered = true;
      // The registration's answer is not lost: it is the reply of the call.
      n.runs.removeAll(r.revoked());
      toNode(n, r.announced().stream().map(Grant::grantId).toList(), List.of());
      r.claimsLost().forEach((appId, ids) -> toMaster(masters.get(appId), ids));
      assertThat(r.issued()).as("grants issued without demand").isEmpty();
      checkNotOverAllocated();
    }

    void lose(Node n) {
      if (!n.registered) {
        return;
      }
      trace("lose " + n.id);
      n.registered = false;
      n.everLost = true;
      Outcome out = recovery.nodeLost(n.id);
      // The node is cut off: it keeps running its work, and only hears of it when it registers again.
      Map<String, List<Long>> byApp = new TreeMap<>();
      out.released().stream().filter(g -> !GrantRecovery.isMasterGrant(g))
          .forEach(g -> byApp.computeIfAbsent(g.appId(), k -> new ArrayList<>()).add(g.grantId()));
      byApp.forEach((appId, ids) -> toMaster(masters.get(appId), ids));
    }

    void attach(Master m) {
      if (m.ended) {
        return;
      }
      trace("attach " + m.appId + " " + m.holds);
      List<Grant> claims = m.holds.stream().map(grants::get).toList();
      GrantRecovery.Attachment a = recovery.attach(m.appId, claims, now);
      for (Grant g : a.announced()) {
        toNode(nodes.get(g.nodeId()), List.of(g.grantId()), List.of());
      }
      Map<String, List<Long>> killByNode = new TreeMap<>();
      a.unclaimed().forEach(g -> killByNode.computeIfAbsent(g.nodeId(), k -> new ArrayList<>()).add(g.grantId()));
      killByNode.forEach((nodeId, ids) -> toNode(nodes.get(nodeId), List.of(), ids));
      assertThat(a.issued()).as("grants issued without demand").isEmpty();
      if (lossy && random.nextInt(10) == 0) {
        trace("attached answer to " + m.appId + " lost");
        m.connected = false;
        at(now + 100 + random.nextInt(900), () -> attach(m));
      } else {
        // As AppMasterSession does: accepted grants (all the books hold for it) are added, rejected ones
        // dropped; a claim parked for a node not back yet is neither, and stays held.
        m.connected = true;
        books.grantsOf(m.appId).stream().filter(g -> !GrantRecovery.isMasterGrant(g))
            .forEach(g -> m.holds.add(g.grantId()));
        m.holds.removeAll(a.rejected());
      }
      checkNotOverAllocated();
    }

    /** The master returns one grant it holds (ReturnGrants), as the shell does. */
    void giveBack(Master m) {
      if (!m.connected || m.holds.isEmpty()) {
        return;
      }
      long id = new ArrayList<>(m.holds).get(random.nextInt(m.holds.size()));
      trace("give back " + m.appId + " " + id);
      m.holds.remove(id);
      given.add(id);
      Grant booked = books.grant(id).orElse(null);
      if (booked == null) {
        recovery.claimsReturned(m.appId, List.of(id));
      } else {
        books.release(id);
        toNode(nodes.get(booked.nodeId()), List.of(), List.of(id));
      }
    }

    void end(Master m) {
      trace("end " + m.appId);
      m.ended = true;
      m.connected = false;
      m.holds.clear();
      Outcome out = books.removeApp(m.appId);
      recovery.appEnded(m.appId);
      Map<String, List<Long>> killByNode = new TreeMap<>();
      out.released().forEach(g -> killByNode.computeIfAbsent(g.nodeId(), k -> new ArrayList<>()).add(g.grantId()));
      killByNode.forEach((nodeId, ids) -> toNode(nodes.get(nodeId), List.of(), ids));
    }

    void expireParkedClaims() {
      recovery.expireParkedClaims(now).forEach((nodeId, byApp) -> byApp.forEach((appId, ids) -> {
        trace("parked claims on " + nodeId + " expired: " + ids);
        toMaster(masters.get(appId), ids);
      }));
    }

    /** A directive to a registered node; a dropped one breaks its stream and it registers again. */
    void toNode(Node n, List<Long> granted, List<Long> revoked) {
      if (!n.registered || (granted.isEmpty() && revoked.isEmpty())) {
        return;
      }
      if (lossy && random.nextInt(7) == 0) {
        trace("directive to " + n.id + " lost (+" + granted + " -" + revoked + ")");
        at(now + 100 + random.nextInt(900), () -> register(n));
        return;
      }
      n.runs.addAll(granted);
      n.runs.removeAll(revoked);
    }

    /** A revocation to a master; a dropped one breaks its stream and it attaches again. */
    void toMaster(Master m, List<Long> revoked) {
      if (m == null || !m.connected || m.ended) {
        return; // nobody listening: the master learns at its next attach
      }
      if (lossy && random.nextInt(7) == 0) {
        trace("revocation to " + m.appId + " lost " + revoked);
        m.connected = false;
        at(now + 100 + random.nextInt(900), () -> attach(m));
        return;
      }
      m.holds.removeAll(revoked);
    }

    // ---- invariants -------------------------------------------------------------------------

    void checkAgreement() {
      Set<Long> inBooks = new TreeSet<>();
      for (Node n : nodes.values()) {
        assertThat(books.node(n.id)).as("node " + n.id + " is back").isPresent();
        books.grantsOn(n.id).forEach(g -> inBooks.add(g.grantId()));
      }
      Set<Long> runAnywhere = new TreeSet<>();
      nodes.values().forEach(n -> runAnywhere.addAll(n.runs));
      assertThat(runAnywhere).as("grants the nodes hold vs the books\n" + traceText()).isEqualTo(inBooks);
      for (Master m : masters.values()) {
        if (m.ended) {
          continue;
        }
        Set<Long> booked = new TreeSet<>();
        books.grantsOf(m.appId).stream().filter(g -> !GrantRecovery.isMasterGrant(g))
            .forEach(g -> booked.add(g.grantId()));
        assertThat(m.holds).as("grants master " + m.appId + " holds vs the books\n" + traceText()).isEqualTo(booked);
      }
    }

    void checkClaimedWorkSurvived() {
      for (Map.Entry<Long, Known> e : known.entrySet()) {
        Grant g = grants.get(e.getKey());
        Node n = nodes.get(g.nodeId());
        Master m = masters.get(g.appId());
        boolean mustSurvive = e.getValue() == Known.BOTH && m != null && !m.ended && !n.everLost
            && !given.contains(g.grantId())
            && n.firstRegisteredAt < WINDOW + NODE_TIMEOUT;
        if (mustSurvive) {
          assertThat(n.runs).as("node " + n.id + " still runs claimed grant " + g.grantId() + "\n" + traceText())
              .contains(g.grantId());
          assertThat(m.holds).as("master " + m.appId + " still holds grant " + g.grantId() + "\n" + traceText())
              .contains(g.grantId());
        }
      }
    }

    void checkNotOverAllocated() {
      for (Node n : nodes.values()) {
        if (books.node(n.id).isEmpty()) {
          continue;
        }
        ResourceVector used = ResourceVector.ZERO;
        for (Grant g : books.grantsOn(n.id)) {
          used = used.plus(g.shape());
        }
        assertThat(used.fitsIn(NODE_TOTAL)).as("node " + n.id + " over-allocated: " + used).isTrue();
      }
    }

    // ---- plumbing ---------------------------------------------------------------------------

    void at(long time, Runnable action) {
      events.add(new Event(time, seq++, action));
    }

    void drain() {
      while (!events.isEmpty()) {
        Event e = events.poll();
        now = Math.max(now, e.at);
        e.action.run();
      }
    }

    void trace(String what) {
      trace.add(now + " ms: " + what);
    }

    String traceText() {
      return String.join("\n", trace);
    }

    <T> T pick(List<T> from) {
      return from.get(random.nextInt(from.size()));
    }

    int weighted(int... weights) {
      int total = 0;
      for (int w : weights) {
        total += w;
      }
      int r = random.nextInt(total);
      for (int i = 0; i < weights.length; i++) {
        r -= weights[i];
        if (r < 0) {
          return i;
        }
      }
      throw new AssertionError();
    }
  }
}
