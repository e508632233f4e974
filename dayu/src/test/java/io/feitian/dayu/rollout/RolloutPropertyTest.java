package io.feitian.dayu.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.dayu.descriptor.Descriptors;
import io.feitian.dayu.descriptor.ModuleDescriptor;
import io.feitian.dayu.descriptor.ModuleGraph;
import io.feitian.dayu.rollout.RolloutState.Phase;
import io.feitian.dayu.rollout.Task.Purpose;
import io.feitian.dayu.rollout.Task.State;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Random clusters, modules, kinds and strategies, driven by simulated agents that fail steps,
 * go away and come back, with health failures, pauses, approvals and aborts; then a calm end in
 * which every node is up and nothing fails. Checked after every call: no role has more nodes
 * unavailable than allowed when a task starts, a node runs one task at a time, a module's batches
 * start only after its dependencies' batches ended, nothing goes forward after a stop. At the
 * end: a succeeded rollout left every node at the target (except failures within the
 * threshold), a rolled-back one left every touched node at its previous version (except where the failed
 * nodes use up a role's budget), and a scale-in never planned the removal of a role's last node. Seeds are
 * printed; -Drollout.seed replays one, -Drollout.runs sets how many random rollouts a run tries (400).
 */
class RolloutPropertyTest {
  private static final List<String> ROLES = List.of("r0", "r1", "r2");
  private static final String OLD = "1.0.0";
  private static final String NEW = "1.1.0";

  @Test
  void invariantsHoldOverManyRandomRollouts() {
    Long fixed = Long.getLong("rollout.seed");
    long base = fixed != null ? fixed : new Random().nextLong();
    int runs = fixed != null ? 1 : Integer.getInteger("rollout.runs", 400);
    Map<Status, Integer> ends = new TreeMap<>();
    for (int i = 0; i < runs; i++) {
      long seed = base + i;
      try {
        ends.merge(new Sim(seed).run(), 1, Integer::sum);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + seed + " (replay with -Drollout.seed=" + seed + "): " + e.getMessage(), e);
      }
    }
    if (fixed == null) {
      // The generator must reach both happy and unhappy ends, or the checks prove little.
      assertThat(ends.keySet()).as("ends reached: " + ends).contains(Status.SUCCEEDED, Status.ROLLED_BACK);
    }
  }

  /** A running task as the simulated agent sees it. */
  record AgentTask(Action.Apply apply, int next) {}

  static final class Sim {
    final long seed;
    final Random random;
    final List<ModuleDescriptor> published = new ArrayList<>();
    final Map<String, Set<String>> moduleRoles = new TreeMap<>();
    final Map<String, Set<String>> roles = new TreeMap<>();
    /** What each node really runs, changed only by the simulated agent finishing a task. */
    final Map<String, Map<String, String>> actual = new TreeMap<>();
    final Set<String> down = new HashSet<>();
    final Map<String, AgentTask> agents = new HashMap<>();
    /** node/module -> the version before the rollout first touched it. */
    final Map<String, String> previous = new HashMap<>();
    Rollout rollout;
    Strategy strategy;
    ModuleGraph graph;
    boolean stopped;
    /** Tasks running when the server restarted: re-sent by reissue, they are not new starts. */
    final Set<String> resent = new HashSet<>();
    long now;

    Sim(long seed) {
      this.seed = seed;
      random = new Random(seed);
    }

    Status run() {
      RolloutRequest request = generate();
      Catalog catalog = new Catalog(published);
      List<NodeView> cluster = new ArrayList<>();
      actual.forEach((n, v) -> cluster.add(new NodeView(n, roles.get(n), v, !down.contains(n))));
      rollout = Rollout.plan(request, cluster, catalog);
      if (request.kind() == Kind.SCALE_IN) {
        for (String role : ROLES) {
          boolean had = roles.values().stream().anyMatch(r -> r.contains(role));
          boolean keeps = roles.entrySet().stream()
              .anyMatch(e -> e.getValue().contains(role) && !request.nodes().contains(e.getKey()));
          assertThat(!had || keeps).as("scale-in keeps a node of " + role).isTrue();
        }
      }
      for (int i = 0; i < 300; i++) {
        chaos();
      }
      calm();
      checkEnd();
      return rollout.status();
    }

    RolloutRequest generate() {
      int modules = 1 + random.nextInt(3);
      List<String> names = new ArrayList<>();
      for (int m = 0; m < modules; m++) {
        String name = "m" + m;
        Set<String> rs = randomRoles();
        List<String> deps = new ArrayList<>();
        for (String earlier : names) {
          if (random.nextBoolean()) {
            deps.add(earlier + " >= 1.0");
          }
        }
        names.add(name);
        moduleRoles.put(name, rs);
        for (String v : List.of(OLD, NEW)) {
          published.add(Descriptors.simple(name, v, List.copyOf(rs), deps.toArray(String[]::new)));
        }
      }
      graph = ModuleGraph.of(published.stream().filter(d -> d.version().toString().equals(OLD)).toList());
      int nodes = 3 + random.nextInt(8);
      for (int n = 0; n < nodes; n++) {
        String id = "n" + n;
        Set<String> rs = randomRoles();
        if (n < ROLES.size()) {
          rs.add(ROLES.get(n)); // every role has a node, so every module is installed somewhere
        }
        roles.put(id, rs);
        actual.put(id, new TreeMap<>());
        if (random.nextInt(7) == 0) {
          down.add(id);
        }
      }
      strategy = randomStrategy();
      Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
      Map<String, String> targets = new TreeMap<>();
      Set<String> chosen = new TreeSet<>();
      String start = kind == Kind.ROLLBACK ? NEW : OLD;
      switch (kind) {
        case DEPLOY -> names.forEach(m -> targets.put(m, OLD));
        case UPGRADE, ROLLBACK -> {
          install(start, Set.of());
          names.forEach(m -> targets.put(m, kind == Kind.UPGRADE ? NEW : OLD));
        }
        case SCALE_OUT -> {
          roles.keySet().stream().filter(n -> random.nextInt(3) == 0).forEach(chosen::add);
          chosen.add("n0");
          install(OLD, chosen);
          names.forEach(m -> targets.put(m, OLD));
        }
        default -> {
          install(OLD, Set.of());
          roles.keySet().stream().filter(n -> random.nextInt(3) == 0).forEach(chosen::add);
          chosen.add("n0");
          if (leavesARoleEmpty(chosen)) {
            Set<String> leaving = Set.copyOf(chosen);
            List<NodeView> view = new ArrayList<>();
            actual.forEach((n, v) -> view.add(new NodeView(n, roles.get(n), v, true)));
            assertThatThrownBy(() -> Rollout.plan(new RolloutRequest(kind, Map.of(), leaving, strategy), view,
                new Catalog(published))).hasMessageContaining("the last node of role");
            chosen.clear();
            roles.keySet().stream().filter(n -> !leavesARoleEmpty(Set.of(n))).findFirst().ifPresent(chosen::add);
            if (chosen.isEmpty()) {
              return generateUpgradeInstead();
            }
          }
        }
      }
      return new RolloutRequest(kind, targets, chosen, strategy);
    }

    RolloutRequest generateUpgradeInstead() {
      Map<String, String> targets = new TreeMap<>();
      moduleRoles.keySet().forEach(m -> targets.put(m, NEW));
      return new RolloutRequest(Kind.UPGRADE, targets, Set.of(), strategy);
    }

    boolean leavesARoleEmpty(Set<String> leaving) {
      for (String role : ROLES) {
        boolean had = roles.values().stream().anyMatch(r -> r.contains(role));
        boolean keeps = roles.entrySet().stream().anyMatch(e -> e.getValue().contains(role) && !leaving.contains(e.getKey()));
        if (had && !keeps) {
          return true;
        }
      }
      return false;
    }

    /** Every node except {@code except} runs each module of its roles at {@code version}. */
    void install(String version, Set<String> except) {
      roles.forEach((n, rs) -> {
        if (!except.contains(n)) {
          moduleRoles.forEach((m, mr) -> {
            if (mr.stream().anyMatch(rs::contains)) {
              actual.get(n).put(m, version);
            }
          });
        }
      });
    }

    Set<String> randomRoles() {
      Set<String> rs = new TreeSet<>();
      ROLES.forEach(r -> {
        if (random.nextInt(3) == 0) {
          rs.add(r);
        }
      });
      if (rs.isEmpty()) {
        rs.add(ROLES.get(random.nextInt(ROLES.size())));
      }
      return rs;
    }

    Strategy randomStrategy() {
      List<Amount> batches = switch (random.nextInt(3)) {
        case 0 -> List.of(new Amount(1 + random.nextInt(3), false));
        case 1 -> List.of(new Amount(20 + random.nextInt(81), true));
        default -> List.of(new Amount(1, false), new Amount(50, true));
      };
      Amount canary = random.nextInt(3) == 0 ? new Amount(1, false) : null;
      Map<String, Amount> perRole = random.nextBoolean() ? Map.of("r1", new Amount(50, true)) : Map.of();
      return new Strategy(batches, canary, random.nextInt(3) * 1_000L, perRole, new Amount(1 + random.nextInt(3), false),
          random.nextInt(3), random.nextBoolean(), random.nextInt(4) == 0, 20_000);
    }

    void chaos() {
      now += random.nextInt(700);
      int dice = random.nextInt(100);
      if (dice < 55) {
        agentStep(random.nextInt(25) == 0);
      } else if (dice < 65) {
        call(() -> rollout.tick(now));
      } else if (dice < 71) {
        String n = randomNode();
        if (down.remove(n)) {
          call(() -> rollout.nodeUp(now, n));
        } else {
          down.add(n);
          call(() -> rollout.nodeDown(now, n));
        }
      } else if (dice < 73) {
        String n = randomNode();
        String m = "m" + random.nextInt(moduleRoles.size());
        call(() -> rollout.health(now, n, m, false, "simulated"));
      } else if (dice < 85 && rollout.awaitingApproval()) {
        call(() -> rollout.approveNextBatch(now));
      } else if (dice < 88) {
        boolean paused = rollout.state().paused();
        Status s = rollout.status();
        if (paused) {
          call(() -> rollout.resume(now));
        } else if (s == Status.RUNNING || s == Status.ROLLING_BACK) {
          call(() -> rollout.pause(now));
        }
      } else if (dice == 88 && rollout.status() == Status.RUNNING) {
        call(() -> rollout.abort(now));
      } else if (dice == 89) {
        // The server restarts: continue from the stored state alone.
        RolloutState stored = rollout.state();
        stored.tasks().values().stream().filter(t -> t.state() == State.RUNNING).forEach(t -> resent.add(t.key()));
        rollout = Rollout.restore(stored, new Catalog(published));
        call(() -> rollout.reissue(now));
        resent.clear();
      } else {
        agentStep(false);
      }
    }

    /** Every node up, nothing fails, the operator approves and resumes, and rolls back what stopped. */
    void calm() {
      for (String n : List.copyOf(down)) {
        down.remove(n);
        call(() -> rollout.nodeUp(now, n));
      }
      int idle = 0;
      for (int i = 0; i < 20_000 && idle < 200; i++) {
        now += 300;
        Status s = rollout.status();
        if (rollout.state().paused()) {
          call(() -> rollout.resume(now));
        } else if (rollout.awaitingApproval()) {
          call(() -> rollout.approveNextBatch(now));
        } else if ((s == Status.ABORTED || (s == Status.FAILED && !rollout.state().rollbackPlanned()))) {
          call(() -> rollout.rollback(now));
        } else if (!agents.isEmpty()) {
          agentStep(false);
        } else {
          List<Action> out = call(() -> rollout.tick(now));
          boolean blocked = s == Status.RUNNING && out.isEmpty();
          idle = blocked || isEnd(s) ? idle + 1 : 0;
          if (s == Status.RUNNING && idle == 199) {
            // Stuck on availability (failed nodes within the threshold use up a role's budget): the operator gives up.
            call(() -> rollout.abort(now));
            idle = 0;
          }
        }
      }
      assertThat(isEnd(rollout.status())).as("ended, status " + rollout.status() + ", open tasks " + rollout.state().tasks()
          .values().stream().filter(t -> t.state() != State.SUCCEEDED && t.state() != State.ROLLED_BACK)
          .map(t -> t.node() + "/" + t.module() + "/" + t.purpose() + "/" + t.state() + "/p" + t.phase()).toList()
          + ", roles " + roles + ", strategy " + strategy).isTrue();
      assertThat(agents).as("tasks still running").isEmpty();
    }

    boolean isEnd(Status s) {
      return s == Status.SUCCEEDED || s == Status.ROLLED_BACK
          || (s == Status.FAILED && rollout.state().rollbackPlanned());
    }

    String randomNode() {
      return "n" + random.nextInt(roles.size());
    }

    /** A random node with a task reports its next step, done or (when {@code fail}) failed. */
    void agentStep(boolean fail) {
      List<String> busy = agents.keySet().stream().filter(n -> !down.contains(n)).sorted().toList();
      if (busy.isEmpty()) {
        return;
      }
      String n = busy.get(random.nextInt(busy.size()));
      AgentTask t = agents.get(n);
      Action.Apply a = t.apply();
      if (fail) {
        agents.remove(n);
        call(() -> rollout.stepFailed(now, n, a.module(), a.toVersion(), t.next(), "simulated"));
        return;
      }
      if (t.next() + 1 == a.steps().size()) {
        agents.remove(n);
        if (a.toVersion().isEmpty()) {
          actual.get(n).remove(a.module());
        } else {
          actual.get(n).put(a.module(), a.toVersion());
        }
      } else {
        agents.put(n, new AgentTask(a, t.next() + 1));
      }
      call(() -> rollout.stepDone(now, n, a.module(), a.toVersion(), t.next()));
    }

    List<Action> call(Supplier<List<Action>> input) {
      List<Action> out = input.get();
      RolloutState s = rollout.state();
      for (Action action : out) {
        if (action instanceof Action.Apply a) {
          if (!resent.contains(Task.key(a.node(), a.module(), a.purpose()))) {
            checkStart(a, s);
          }
          if (a.purpose() == Purpose.FORWARD) {
            previous.putIfAbsent(a.node() + "/" + a.module(), a.fromVersion());
          }
          agents.put(a.node(), new AgentTask(a, a.firstStep()));
        }
      }
      // The agent follows the desired state: a task the rollout no longer runs is dropped (a node away keeps it).
      agents.entrySet().removeIf(e -> !down.contains(e.getKey()) && s.tasks().values().stream().noneMatch(t ->
          t.node().equals(e.getKey()) && t.state() == State.RUNNING && t.module().equals(e.getValue().apply().module())
          && t.purpose() == e.getValue().apply().purpose()));
      stopped |= s.status() != Status.RUNNING && s.status() != Status.SUCCEEDED;
      checkAlways(s);
      return out;
    }

    void checkStart(Action.Apply a, RolloutState s) {
      assertThat(down).as("started on a node that is away: " + a).doesNotContain(a.node());
      boolean broken = s.tasks().values().stream().anyMatch(t -> t.node().equals(a.node()) && t.state() == State.FAILED);
      assertThat(broken && a.purpose() == Purpose.FORWARD).as("a forward task started on a node with a failed task: " + a)
          .isFalse();
      // Rolling back a broken node leaves it as unavailable as it was: only other starts are counted.
      for (String role : broken ? Set.<String>of() : roles.get(a.node())) {
        int ofRole = (int) roles.values().stream().filter(r -> r.contains(role)).count();
        long unavailable = roles.keySet().stream().filter(n -> roles.get(n).contains(role)).filter(n -> down.contains(n)
            || s.tasks().values().stream().anyMatch(t -> t.node().equals(n)
            && (t.state() == State.RUNNING || t.state() == State.FAILED))).count();
        assertThat(unavailable).as("unavailable nodes of " + role + " after starting " + a + "; down " + down + ", tasks "
            + s.tasks().values().stream().filter(t -> t.state() == State.RUNNING || t.state() == State.FAILED)
            .map(t -> t.node() + "/" + t.module() + "/" + t.purpose() + "/" + t.state()).toList() + ", roles " + roles)
            .isLessThanOrEqualTo(strategy.maxUnavailable(role, ofRole));
      }
      if (a.purpose() == Purpose.FORWARD) {
        assertThat(stopped).as("a forward task started after the rollout stopped: " + a).isFalse();
        int k = phaseOf(s, a.module());
        assertThat(s.phase()).as("phase of " + a).isGreaterThanOrEqualTo(k);
        for (int j = 0; j < k; j++) {
          Phase earlier = s.phases().get(j);
          assertThat(earlier.planned()).isTrue();
          int jj = j;
          assertThat(s.tasks().values()).as("a batch of " + earlier.module() + " still pending when " + a + " started")
              .noneMatch(t -> t.phase() == jj && t.purpose() == Purpose.FORWARD && t.state() == State.PENDING);
        }
      }
    }

    int phaseOf(RolloutState s, String module) {
      for (int i = 0; i < s.phases().size(); i++) {
        if (s.phases().get(i).module().equals(module)) {
          return i;
        }
      }
      throw new AssertionError("no phase for " + module);
    }

    void checkAlways(RolloutState s) {
      Map<String, Integer> running = new HashMap<>();
      s.tasks().values().stream().filter(t -> t.state() == State.RUNNING).forEach(t -> running.merge(t.node(), 1, Integer::sum));
      assertThat(running.values()).as("tasks running per node").allMatch(c -> c == 1);
      // Dependency order of the phases: each module after those it depends on (before them for scale-in).
      List<String> order = s.phases().stream().map(Phase::module).toList();
      for (String m : order) {
        for (String dep : graph.dependenciesOf(m)) {
          if (order.contains(dep)) {
            boolean after = order.indexOf(m) > order.indexOf(dep);
            assertThat(after).as(m + " vs " + dep + " in " + order).isEqualTo(s.kind() != Kind.SCALE_IN);
          }
        }
      }
    }

    /**
     * A node that came back after its batch (or its rollback) waits while the failed nodes of one of its roles
     * already use that role's whole unavailability budget: changing it would exceed the budget.
     */
    boolean repairBlockedByFailures(RolloutState s, String node) {
      for (String role : roles.get(node)) {
        int ofRole = (int) roles.values().stream().filter(r -> r.contains(role)).count();
        long failed = roles.keySet().stream().filter(n -> roles.get(n).contains(role)).filter(n -> s.tasks().values()
            .stream().anyMatch(t -> t.node().equals(n) && t.state() == State.FAILED)).count();
        if (failed + 1 > strategy.maxUnavailable(role, ofRole)) {
          return true;
        }
      }
      return false;
    }

    /**
     * A rollback that waits (pending, or deferred) cannot start while its node's repair is blocked by failures, nor
     * while a rollback of a later phase that it waits for (dependents are undone first, cluster-wide) is blocked.
     */
    boolean rollbackBlocked(RolloutState s, Task r) {
      if (repairBlockedByFailures(s, r.node())) {
        return true;
      }
      return s.tasks().values().stream().anyMatch(o -> o.purpose() == Purpose.ROLLBACK && o.phase() > r.phase()
          && (o.state() == State.DEFERRED || o.state() == State.PENDING) && rollbackBlocked(s, o));
    }

    void checkEnd() {
      RolloutState s = rollout.state();
      if (s.status() == Status.SUCCEEDED) {
        for (Phase p : s.phases()) {
          for (String n : p.nodes()) {
            boolean failedHere = s.tasks().values().stream().anyMatch(t -> t.node().equals(n) && t.state() == State.FAILED);
            if (!failedHere && !repairBlockedByFailures(s, n)) {
              assertThat(actual.get(n).getOrDefault(p.module(), "")).as(n + " " + p.module() + ", tasks "
                  + s.tasks().values().stream().filter(t -> t.node().equals(n)).toList()).isEqualTo(p.version());
            }
          }
        }
      } else {
        // Rolled back (or a rollback that failed on some nodes): every touched node is back where it was.
        previous.forEach((key, version) -> {
          String[] nm = key.split("/");
          Task r = s.tasks().get(Task.key(nm[0], nm[1], Purpose.ROLLBACK));
          boolean blocked = r != null && (r.state() == State.DEFERRED || r.state() == State.PENDING) && rollbackBlocked(s, r);
          if ((r == null || r.state() != State.FAILED) && !blocked) {
            assertThat(actual.get(nm[0]).getOrDefault(nm[1], "")).as("rolled back " + key + " (" + s.status() + "), tasks "
                + s.tasks().values().stream().filter(t -> t.node().equals(nm[0])).toList()).isEqualTo(version);
          }
        });
      }
    }
  }
}
