package io.feitian.service.members;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.fuxi.v1.LocalityLevel;
import io.feitian.proto.service.v1.WorkerRecord;
import io.feitian.service.partition.Partition;
import io.feitian.service.partition.PartitionState;
import io.feitian.service.partition.PartitionTable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Random schedules against a simulated cluster: scale changes, grants asked
 * for and not, revocations, launches that fail, registrations that are lost,
 * late or duplicated, sessions that blip, processes that end and reports of
 * it that are late, duplicated or lost. Messages arrive in any order, except
 * that one worker's znode events keep theirs (as ZooKeeper delivers them).
 * After every step the book's invariants hold; after each schedule the
 * cluster settles (no more faults, every message delivered) and every role
 * has what it wants. A failure names the seed and step;
 * {@code -Dmembers.seed=N} replays one schedule, {@code -Dmembers.schedules}
 * and {@code -Dmembers.steps} change how many and how long.
 */
class MemberBookPropertyTest {
  private static final int SCHEDULES = Integer.getInteger("members.schedules", 300);
  private static final int STEPS = Integer.getInteger("members.steps", 400);
  private static final long DELAY = 10_000;
  private static final List<Placement.Node> NODES = List.of(new Placement.Node("a1", "rack-a"),
      new Placement.Node("a2", "rack-a"), new Placement.Node("b1", "rack-b"), new Placement.Node("b2", "rack-b"),
      new Placement.Node("c1", "rack-c"), new Placement.Node("c2", "rack-c"));

  /** What happened over all schedules, by kind: every kind must have been exercised. */
  private final Map<String, Integer> seen = new TreeMap<>();

  @Test
  void randomSchedulesKeepTheInvariants() {
    String replay = System.getProperty("members.seed");
    List<Long> seeds = new ArrayList<>();
    if (replay != null && !replay.isBlank()) {
      seeds.add(Long.parseLong(replay.trim()));
    } else {
      long first = System.nanoTime(); // fresh each run; printed, and in any failure message
      for (int i = 0; i < SCHEDULES; i++) {
        seeds.add(first + i);
      }
      System.out.println("MemberBookPropertyTest: seeds " + first + ".." + (first + SCHEDULES - 1));
    }
    long started = System.nanoTime();
    for (long seed : seeds) {
      new Schedule(seed).run();
    }
    System.out.printf("MemberBookPropertyTest: %d schedules of %d steps in %d ms; %s%n", seeds.size(), STEPS,
        (System.nanoTime() - started) / 1_000_000, seen);
    if (replay == null) {
      assertThat(seen).as("the schedules exercised every kind of event").containsKeys("ask withdrawn", "drain",
          "grant refused", "launch failed", "revoked", "worker ended", "did not register", "lost too long",
          "scaled in", "registration late", "registration duplicated", "session blip", "partition moved");
    }
  }

  /** One key of the asks: a role's workers asked on a node ("" for anywhere). */
  private record Bucket(String role, String node) {}

  /** A worker process running on a grant. */
  private static final class Process {
    final Grant grant;
    final String workerId;
    boolean sessionUp;

    Process(Grant grant) {
      this.grant = grant;
      this.workerId = "w" + grant.getGrantId();
    }
  }

  /** Something that happened at {@code at}: a message delivered, or an effect ({@code ->}). */
  private record Note(long at, Object what) {
    @Override
    public String toString() {
      return "  t=" + at + (what instanceof Effect ? "   -> " : " ") + what.toString().replace("\n", " ");
    }
  }

  /** A message on its way to the book; those of one channel arrive in order. */
  private record Message(String channel, String what, Supplier<List<Effect>> delivery) {}

  private final class Schedule {
    final long seed;
    final Random random;
    final Map<String, Role> roles = new LinkedHashMap<>();
    final PartitionTable table = PartitionTable.evenly(6);
    final MemberBook book;
    /** Fuxi's outstanding demand, and the book's asks as its Ask effects state them. */
    final Map<Bucket, Integer> fuxi = new HashMap<>();
    final Map<Bucket, Integer> asks = new HashMap<>();
    final Map<Long, Process> processes = new HashMap<>();
    final Set<Long> returned = new HashSet<>();
    final Set<Long> revokedDelivered = new HashSet<>();
    final Set<String> watched = new HashSet<>();
    final List<Message> inbox = new ArrayList<>();
    final Deque<Note> recent = new ArrayDeque<>();
    boolean faults = true;
    long nextGrant = 1;
    long now;
    int step;

    Schedule(long seed) {
      this.seed = seed;
      this.random = new Random(seed);
      roles.put("store", new Role("store", random.nextInt(3), random.nextInt(4)));
      roles.put("web", new Role("web", random.nextInt(3), random.nextInt(4)));
      book = new MemberBook("svc", List.copyOf(roles.values()), Map.of("store", 1 + random.nextInt(4),
          "web", random.nextInt(4)), new MemberBook.Partitioning("store", table, DELAY, 1 + random.nextInt(3)));
      book.nodesAre(NODES);
    }

    void run() {
      try {
        handle(book.workersListed(now));
        for (step = 0; step < STEPS; step++) {
          now += 10 + random.nextInt(3_000);
          act();
          checkInvariants();
        }
        settle();
        checkSettled();
      } catch (AssertionError e) {
        throw new AssertionError("seed=" + seed + " step=" + step + " (replay with -Dmembers.seed=" + seed + "): "
            + e.getMessage() + "\nlast events:\n" + recent.stream().map(Note::toString).collect(Collectors.joining("\n")), e);
      }
    }

    /** Keeps the last events for a failure message; they are written out only then. */
    void note(Object event) {
      recent.addLast(new Note(now, event));
      if (recent.size() > 60) {
        recent.removeFirst();
      }
    }

    void saw(String kind) {
      seen.merge(kind, 1, Integer::sum);
    }

    // ---- the world acts ---------------------------------------------------------------------

    void act() {
      int dice = random.nextInt(20);
      if (dice < 7) {
        deliverOne();
      } else if (dice < 9) {
        note("tick");
        handle(book.tick(now));
      } else if (dice < 11) {
        grantFromDemand();
      } else if (dice == 11) {
        scale();
      } else if (dice == 12) {
        grant(List.copyOf(roles.keySet()).get(random.nextInt(roles.size())), randomNode(), LocalityLevel
            .LOCALITY_LEVEL_CLUSTER, "unasked");
      } else if (dice == 13) {
        revoke();
      } else if (dice == 14) {
        anyProcess().ifPresent(p -> end(p, "crashed"));
      } else if (dice == 15) {
        anyProcess().filter(p -> p.sessionUp).ifPresent(this::blip);
      } else if (dice == 16) {
        anyProcess().filter(p -> p.sessionUp).ifPresent(p -> {
          saw("registration duplicated");
          register(p);
        });
      } else {
        deliverOne();
      }
    }

    void scale() {
      String role = List.copyOf(roles.keySet()).get(random.nextInt(roles.size()));
      int workers = role.equals("store") ? 1 + random.nextInt(5) : random.nextInt(5);
      note("scale " + role + " to " + workers);
      handle(book.scale(role, workers));
    }

    /** Fuxi hands out one unit of outstanding demand. */
    void grantFromDemand() {
      List<Bucket> open = fuxi.keySet().stream().sorted((a, b) -> (a.role() + a.node()).compareTo(b.role()
          + b.node())).toList();
      if (open.isEmpty()) {
        return;
      }
      Bucket b = open.get(random.nextInt(open.size()));
      take(fuxi, b, 1);
      if (b.node().isEmpty()) {
        grant(b.role(), randomNode(), LocalityLevel.LOCALITY_LEVEL_CLUSTER, "asked");
      } else {
        grant(b.role(), b.node(), LocalityLevel.LOCALITY_LEVEL_MACHINE, "asked");
      }
    }

    void grant(String role, String node, LocalityLevel level, String why) {
      Grant.Builder g = Grant.newBuilder().setGrantId(nextGrant++).setUnit(role).setNodeId(node)
          .setNodeAddress(node + ":7000").setRequestedLevel(level);
      if (level == LocalityLevel.LOCALITY_LEVEL_MACHINE) {
        g.setRequestedTarget(node);
      }
      Grant grant = g.build();
      send(null, "granted " + grant.getGrantId() + " (" + why + ") " + role + " on " + node, () -> {
        Bucket asked = new Bucket(role, level == LocalityLevel.LOCALITY_LEVEL_MACHINE ? node : "");
        if (asks.containsKey(asked)) {
          take(asks, asked, 1);
        }
        return book.granted(grant, now);
      });
    }

    void revoke() {
      List<Grant> held = book.held();
      if (held.isEmpty()) {
        return;
      }
      Grant g = held.get(random.nextInt(held.size()));
      saw("revoked");
      kill(g.getGrantId(), "revoked");
      send(null, "revoked " + g.getGrantId(), () -> {
        revokedDelivered.add(g.getGrantId());
        return book.revoked(g.getGrantId(), now);
      });
    }

    /** The session of a running worker expires while its process goes on; it registers again later. */
    void blip(Process p) {
      saw("session blip");
      p.sessionUp = false;
      send(zk(p), "session of " + p.workerId + " expired", () -> book.workerLost(p.workerId, now));
      register(p);
    }

    void register(Process p) {
      WorkerRecord r = WorkerRecord.newBuilder().setWorkerId(p.workerId).setGrantId(p.grant.getGrantId())
          .setRole(p.grant.getUnit()).setNodeId(p.grant.getNodeId()).setEndpoint(p.workerId + ":9000").build();
      p.sessionUp = true;
      send(zk(p), "registered " + p.workerId, () -> {
        if (!book.held(p.grant.getGrantId()).isPresent()) {
          saw("registration late");
        }
        return book.workerRegistered(r);
      });
    }

    /** The process ends: its znode goes (if it had one) and its node reports it, maybe late, twice or never. */
    void end(Process p, String why) {
      processes.remove(p.grant.getGrantId());
      note(p.workerId + " " + why);
      send(zk(p), "session of " + p.workerId + " ended", () -> book.workerLost(p.workerId, now));
      int reports = !faults ? 1 : random.nextInt(10) < 2 ? 0 : random.nextInt(10) < 2 ? 2 : 1;
      for (int i = 0; i < reports; i++) {
        send(null, "node reports " + p.workerId + " ended", () -> book.processEnded(p.grant.getGrantId(), why, now));
      }
    }

    void kill(long grantId, String why) {
      Process p = processes.get(grantId);
      if (p != null) {
        end(p, why);
      }
    }

    // ---- effects ----------------------------------------------------------------------------

    void handle(List<Effect> effects) {
      for (Effect e : effects) {
        note(e);
        if (e instanceof Effect.Ask a) {
          Bucket b = new Bucket(a.role(), a.node());
          int before = asks.getOrDefault(b, 0);
          assertThat(before + a.delta()).as("asks of %s go negative with %s", b, a).isGreaterThanOrEqualTo(0);
          put(asks, b, before + a.delta());
          put(fuxi, b, Math.max(0, fuxi.getOrDefault(b, 0) + a.delta())); // Fuxi cannot withdraw what it granted
          if (a.delta() < 0) {
            saw("ask withdrawn");
          }
        } else if (e instanceof Effect.Launch l) {
          launch(l.grant());
        } else if (e instanceof Effect.ReturnGrant r) {
          long id = r.grant().getGrantId();
          assertThat(returned.add(id)).as("grant %d returned twice", id).isTrue();
          saw(r.why().startsWith("worker ended") ? "worker ended" : r.why().startsWith("did not register")
              ? "did not register" : r.why().startsWith("lost for longer") ? "lost too long"
              : r.why().equals("launch failed") || r.why().equals("scaled in") ? r.why() : "grant refused");
          kill(id, "stopped with its grant");
        } else if (e instanceof Effect.ForgetGrant f) {
          assertThat(book.held(f.grantId())).as("forgot grant %d while holding it", f.grantId()).isEmpty();
        } else if (e instanceof Effect.WatchNode w) {
          watched.add(w.address());
        } else if (e instanceof Effect.UnwatchNode u) {
          assertThat(book.held()).as("unwatched %s with grants held there", u.address())
              .noneMatch(g -> g.getNodeAddress().equals(u.address()));
          watched.remove(u.address());
        } else if (e instanceof Effect.CheckWorker c) {
          long id = c.grant().getGrantId();
          send(null, "node answers about " + c.workerId(), () -> processes.containsKey(id) ? List.of()
              : book.processEnded(id, "its node runs it no more", now));
        } else if (e instanceof Effect.Drain) {
          saw("drain");
        } else if (e instanceof Effect.Tell t) {
          String worker = t.action().worker();
          boolean answers = processes.values().stream().anyMatch(p -> p.workerId.equals(worker))
              && (!faults || random.nextInt(10) > 0);
          send(null, "answer of " + t.action(), () -> {
            if (answers) {
              saw("partition moved");
              return book.moveDone(t.action());
            }
            return book.moveFailed(t.action());
          });
        }
      }
    }

    /** The node starts a worker on the grant, unless the launch fails; the worker may never register. */
    void launch(Grant g) {
      assertThat(returned).as("launch on a returned grant %d", g.getGrantId()).doesNotContain(g.getGrantId());
      if (faults && random.nextInt(10) == 0) {
        send(null, "launch on " + g.getGrantId() + " failed", () -> {
          saw("launch failed");
          return book.launchFailed(g.getGrantId(), now);
        });
        return;
      }
      Process p = new Process(g);
      processes.put(g.getGrantId(), p);
      if (!faults || random.nextInt(10) > 0) {
        register(p);
      }
    }

    // ---- messages ---------------------------------------------------------------------------

    String zk(Process p) {
      return "zk:" + p.workerId;
    }

    void send(String channel, String what, Supplier<List<Effect>> delivery) {
      inbox.add(new Message(channel, what, delivery));
    }

    /** Any message, late or not; within a channel, the oldest first. */
    void deliverOne() {
      if (inbox.isEmpty()) {
        return;
      }
      Message picked = inbox.get(random.nextInt(inbox.size()));
      Message m = picked.channel() == null ? picked
          : inbox.stream().filter(o -> picked.channel().equals(o.channel())).findFirst().orElseThrow();
      inbox.remove(m);
      note(m.what());
      handle(m.delivery().get());
    }

    // ---- invariants -------------------------------------------------------------------------

    void checkInvariants() {
      List<Grant> held = book.held();
      Set<Long> heldIds = new HashSet<>();
      held.forEach(g -> heldIds.add(g.getGrantId()));
      assertThat(heldIds).as("grants both returned and held").noneMatch(returned::contains);
      assertThat(heldIds).as("revoked grants still held").noneMatch(revokedDelivered::contains);
      assertThat(heldIds).as("worker processes left running on grants not held").containsAll(processes.keySet());
      assertThat(held).as("held grants on nodes not watched")
          .allMatch(g -> watched.contains(g.getNodeAddress()));
      for (MemberBook.Worker w : book.workers()) {
        WorkerRecord r = w.record();
        assertThat(book.held(r.getGrantId())).as("worker %s is on a held grant of its role", r.getWorkerId())
            .hasValueSatisfying(g -> assertThat(g.getUnit()).isEqualTo(r.getRole()));
      }
      List<Grant> draining = book.draining();
      for (Role role : roles.values()) {
        List<Grant> keeping = held.stream().filter(g -> g.getUnit().equals(role.name()) && !draining.contains(g))
            .toList();
        assertThat(keeping.size()).as("%s holds more than it wants", role.name())
            .isLessThanOrEqualTo(book.wanted().get(role.name()));
        checkLimits(role, keeping);
        Map<String, Integer> expected = new HashMap<>();
        asks.forEach((b, n) -> {
          if (b.role().equals(role.name())) {
            expected.put(b.node(), n);
          }
        });
        assertThat(book.asked(role.name())).as("asks of %s", role.name()).isEqualTo(expected);
      }
    }

    void checkLimits(Role role, List<Grant> keeping) {
      Map<String, Integer> perNode = new HashMap<>();
      Map<String, Integer> perRack = new HashMap<>();
      for (Grant g : keeping) {
        perNode.merge(g.getNodeId(), 1, Integer::sum);
        perRack.merge(rackOf(g.getNodeId()), 1, Integer::sum);
      }
      if (role.maxPerNode() > 0) {
        assertThat(perNode.values()).as("%s per node %s", role, perNode).allMatch(n -> n <= role.maxPerNode());
      }
      if (role.maxPerRack() > 0) {
        assertThat(perRack.values()).as("%s per rack %s", role, perRack).allMatch(n -> n <= role.maxPerRack());
      }
    }

    // ---- settling ---------------------------------------------------------------------------

    /** No more faults: sessions come back, Fuxi grants what is asked, every message arrives, time passes. */
    void settle() {
      faults = false;
      note("settling");
      for (int round = 0; round < 60; round++) {
        now += 2_000;
        handle(book.tick(now));
        processes.values().stream().filter(p -> !p.sessionUp).toList().forEach(this::register);
        while (!fuxi.isEmpty()) {
          grantFromDemand();
        }
        while (!inbox.isEmpty()) {
          deliverOne();
        }
        checkInvariants();
      }
    }

    void checkSettled() {
      List<Grant> held = book.held();
      assertThat(book.draining()).as("drains done").isEmpty();
      for (Role role : roles.values()) {
        int wanted = book.wanted().get(role.name());
        long holding = held.stream().filter(g -> g.getUnit().equals(role.name())).count();
        int asked = book.asked(role.name()).values().stream().mapToInt(Integer::intValue).sum();
        assertThat(holding).as("%s holds more than it wants once settled", role.name()).isLessThanOrEqualTo(wanted);
        if (!role.limited()) {
          assertThat(holding).as("%s has what it wants once settled", role.name()).isEqualTo(wanted);
        }
        assertThat(holding + asked).as("%s holds and asks", role.name()).isLessThanOrEqualTo(wanted);
      }
      assertThat(book.workers()).as("every worker registered and live once settled")
          .hasSize(held.size()).noneMatch(MemberBook.Worker::lost);
      Set<String> live = new HashSet<>();
      book.workers().forEach(w -> live.add(w.record().getWorkerId()));
      for (Partition p : table.partitions()) {
        assertThat(p.state()).as("%s once settled", p).isEqualTo(PartitionState.SERVING);
        assertThat(live).as("%s is owned by a live worker", p).contains(p.owner());
      }
    }

    // ---- helpers ----------------------------------------------------------------------------

    java.util.Optional<Process> anyProcess() {
      List<Process> running = processes.values().stream().sorted((a, b) -> Long.compare(a.grant.getGrantId(),
          b.grant.getGrantId())).toList();
      return running.isEmpty() ? java.util.Optional.empty()
          : java.util.Optional.of(running.get(random.nextInt(running.size())));
    }

    String randomNode() {
      return NODES.get(random.nextInt(NODES.size())).id();
    }

    String rackOf(String node) {
      return NODES.stream().filter(n -> n.id().equals(node)).findFirst().orElseThrow().rack();
    }

    void take(Map<Bucket, Integer> counts, Bucket b, int n) {
      put(counts, b, counts.get(b) - n);
    }

    void put(Map<Bucket, Integer> counts, Bucket b, int n) {
      if (n == 0) {
        counts.remove(b);
      } else {
        counts.put(b, n);
      }
    }
  }
}
