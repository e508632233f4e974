package io.feitian.dayu.rollout;

import io.feitian.dayu.descriptor.ModuleDescriptor;
import io.feitian.dayu.descriptor.ModuleGraph;
import io.feitian.dayu.rollout.RolloutState.Phase;
import io.feitian.dayu.rollout.Task.Purpose;
import io.feitian.dayu.rollout.Task.State;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One rollout, as a state machine: each call (a step reported, a health report, a node coming or
 * going, an operator command, the time) returns the {@link Action}s to take. See package-info for
 * the model and docs/DAYU.md for the strategy's semantics.
 */
public final class Rollout {
  private final Catalog catalog;
  private final Kind kind;
  private final Strategy strategy;
  private final List<Phase> phases;
  private final Map<String, NodeView> nodes;
  private final Map<String, Task> tasks;
  private Status status;
  private String reason;
  private boolean paused;
  private int phase;
  private int batch;
  private boolean batchStarted;
  private boolean approved;
  private int failures;
  private boolean rollbackPlanned;
  /** Not stored: after a restore, {@link #reissue} announces a pending approval again. */
  private boolean approvalAnnounced;

  private Rollout(RolloutState s, Catalog catalog) {
    this.catalog = catalog;
    kind = s.kind();
    strategy = s.strategy();
    phases = new ArrayList<>(s.phases());
    nodes = new TreeMap<>(s.nodes());
    tasks = new LinkedHashMap<>(s.tasks());
    status = s.status();
    reason = s.reason();
    paused = s.paused();
    phase = s.phase();
    batch = s.batch();
    batchStarted = s.batchStarted();
    approved = s.approved();
    failures = s.failures();
    rollbackPlanned = s.rollbackPlanned();
  }

  /**
   * Plans a rollout of {@code request} over {@code cluster}; IllegalArgumentException naming the
   * reason when it is refused (unknown node, unpublished version, a dependency not satisfied or
   * cyclic, a scale-in that would remove a role's last node). Nothing happens until {@link #tick}.
   */
  public static Rollout plan(RolloutRequest request, Collection<NodeView> cluster, Catalog catalog) {
    Map<String, NodeView> byId = new TreeMap<>();
    cluster.forEach(n -> byId.put(n.id(), n));
    for (String n : request.nodes()) {
      if (!byId.containsKey(n)) {
        throw new IllegalArgumentException("nodes: no node " + n + " in the cluster");
      }
    }
    boolean scaling = request.kind() == Kind.SCALE_IN || request.kind() == Kind.SCALE_OUT;
    if (scaling == request.nodes().isEmpty()) {
      throw new IllegalArgumentException("nodes: " + (scaling ? "name the nodes to " + request.kind().name().toLowerCase()
          : "only scale-in and scale-out name nodes"));
    }
    List<Phase> phases = request.kind() == Kind.SCALE_IN
        ? scaleInPhases(request.nodes(), byId, catalog)
        : convergePhases(request, byId, catalog);
    RolloutState s = new RolloutState(request.kind(), request.strategy(), Status.RUNNING, "", false, phases, 0, 0, false,
        false, byId, Map.of(), 0, false);
    return new Rollout(s, catalog);
  }

  /** Modules in dependency order, each to its target on the nodes of its roles that run another version. */
  private static List<Phase> convergePhases(RolloutRequest request, Map<String, NodeView> byId, Catalog catalog) {
    if (request.targets().isEmpty()) {
      throw new IllegalArgumentException("targets: name at least one module and version");
    }
    List<ModuleDescriptor> after = new ArrayList<>();
    request.targets().forEach((m, v) -> after.add(catalog.get(m, v)));
    installed(byId.values(), catalog).stream().filter(d -> !request.targets().containsKey(d.name())).forEach(after::add);
    ModuleGraph graph = ModuleGraph.of(after);
    List<Phase> phases = new ArrayList<>();
    for (String module : graph.order()) {
      String target = request.targets().get(module);
      if (target == null) {
        continue;
      }
      Set<String> roles = catalog.get(module, target).roles();
      List<String> change = byId.values().stream()
          .filter(n -> request.nodes().isEmpty() || request.nodes().contains(n.id()))
          .filter(n -> n.roles().stream().anyMatch(roles::contains))
          .filter(n -> !target.equals(n.versions().get(module)))
          .map(NodeView::id).toList();
      phases.add(new Phase(module, target, change, List.of(), false));
    }
    return phases;
  }

  /** Modules of the leaving nodes, dependents first; refused if a role would lose its last node. */
  private static List<Phase> scaleInPhases(Set<String> leaving, Map<String, NodeView> byId, Catalog catalog) {
    Map<String, Integer> staying = new TreeMap<>();
    byId.values().forEach(n -> n.roles().forEach(r -> staying.merge(r, leaving.contains(n.id()) ? 0 : 1, Integer::sum)));
    staying.forEach((role, left) -> {
      if (left == 0) {
        throw new IllegalArgumentException("nodes: scale-in would remove the last node of role " + role);
      }
    });
    List<String> order = new ArrayList<>(ModuleGraph.of(installed(byId.values(), catalog)).order());
    Collections.reverse(order);
    List<Phase> phases = new ArrayList<>();
    for (String module : order) {
      List<String> holders = leaving.stream().sorted().filter(n -> byId.get(n).versions().containsKey(module)).toList();
      if (!holders.isEmpty()) {
        phases.add(new Phase(module, "", holders, List.of(), false));
      }
    }
    return phases;
  }

  private static List<ModuleDescriptor> installed(Collection<NodeView> cluster, Catalog catalog) {
    Set<String> seen = new HashSet<>();
    List<ModuleDescriptor> out = new ArrayList<>();
    for (NodeView n : cluster) {
      n.versions().forEach((m, v) -> {
        if (seen.add(m + " " + v)) {
          out.add(catalog.get(m, v));
        }
      });
    }
    return out;
  }

  /** A rollout as stored, e.g. by a server that died; then call {@link #reissue(long)}. */
  public static Rollout restore(RolloutState state, Catalog catalog) {
    return new Rollout(state, catalog);
  }

  public RolloutState state() {
    return new RolloutState(kind, strategy, status, reason, paused, phases, phase, batch, batchStarted, approved, nodes,
        tasks, failures, rollbackPlanned);
  }

  public Status status() {
    return status;
  }

  /** What a restarted server re-sends: every running task from its last reported step, and a pending approval. */
  public List<Action> reissue(long now) {
    List<Action> out = new ArrayList<>();
    tasks.values().stream().filter(t -> t.state() == State.RUNNING).forEach(t -> out.add(apply(t)));
    approvalAnnounced = false;
    return advance(now, out);
  }

  // ---- inputs -------------------------------------------------------------------------------

  public List<Action> tick(long now) {
    return advance(now, new ArrayList<>());
  }

  /** Node {@code node} finished step {@code step} of its task taking {@code module} to {@code version}. Late or repeated reports are ignored. */
  public List<Action> stepDone(long now, String node, String module, String version, int step) {
    Task t = running(node, module, version);
    if (t != null && step == t.stepsDone()) {
      t = t.stepped(now);
      tasks.put(t.key(), t);
      if (t.stepsDone() == t.stepCount()) {
        succeeded(t, now);
      }
    }
    return advance(now, new ArrayList<>());
  }

  public List<Action> stepFailed(long now, String node, String module, String version, int step, String why) {
    Task t = running(node, module, version);
    if (t != null && step == t.stepsDone()) {
      failed(t, now, "step " + step + " failed: " + why);
    }
    return advance(now, new ArrayList<>());
  }

  /** A health report (the module's health check, or a Shennong condition): unhealthy fails a node of the batch in its healthy wait. */
  public List<Action> health(long now, String node, String module, boolean healthy, String detail) {
    Task t = tasks.get(Task.key(node, module, Purpose.FORWARD));
    if (!healthy && status == Status.RUNNING && t != null && t.state() == State.SUCCEEDED && t.phase() == phase
        && t.batch() == batch) {
      failed(t, now, "unhealthy after its steps: " + detail);
    }
    return advance(now, new ArrayList<>());
  }

  /** The node's agent went away: its unfinished task waits for it, and the rollout goes on without it. */
  public List<Action> nodeDown(long now, String node) {
    NodeView n = nodes.get(node);
    if (n != null) {
      nodes.put(node, n.withUp(false));
      for (Task t : List.copyOf(tasks.values())) {
        if (t.node().equals(node) && (t.state() == State.RUNNING || t.state() == State.PENDING)) {
          tasks.put(t.key(), t.with(State.DEFERRED, now, "node away"));
        }
      }
    }
    return advance(now, new ArrayList<>());
  }

  /** The node's agent is back: its deferred tasks resume (the repair of a node that was away). */
  public List<Action> nodeUp(long now, String node) {
    NodeView n = nodes.get(node);
    if (n != null) {
      nodes.put(node, n.withUp(true));
    }
    return advance(now, new ArrayList<>());
  }

  // ---- operator commands (IllegalStateException when they do not apply: FAILED_PRECONDITION) ---

  public List<Action> pause(long now) {
    requireStatus("pause", Status.RUNNING, Status.ROLLING_BACK);
    paused = true;
    return advance(now, new ArrayList<>());
  }

  public List<Action> resume(long now) {
    if (!paused) {
      throw new IllegalStateException("the rollout is not paused");
    }
    paused = false;
    return advance(now, new ArrayList<>());
  }

  public List<Action> approveNextBatch(long now) {
    if (!awaitingApproval()) {
      throw new IllegalStateException("no batch awaits approval");
    }
    approved = true;
    return advance(now, new ArrayList<>());
  }

  /** Stops starting anything; running tasks end on their own. {@link #rollback} may follow. */
  public List<Action> abort(long now) {
    requireStatus("abort", Status.RUNNING);
    dropPending();
    status = Status.ABORTED;
    reason = "aborted by the operator";
    List<Action> out = new ArrayList<>();
    out.add(new Action.Finished(status, reason));
    return advance(now, out);
  }

  /** Returns every node this rollout touched to its previous version (manual rollback). */
  public List<Action> rollback(long now) {
    requireStatus("roll back", Status.RUNNING, Status.FAILED, Status.ABORTED);
    dropPending();
    status = Status.ROLLING_BACK;
    paused = false;
    return advance(now, new ArrayList<>());
  }

  public boolean awaitingApproval() {
    return state().awaitingApproval();
  }

  private void requireStatus(String what, Status... allowed) {
    if (!List.of(allowed).contains(status)) {
      throw new IllegalStateException("cannot " + what + " a rollout that is " + status.name().toLowerCase());
    }
  }

  // ---- the machine ------------------------------------------------------------------------------

  private List<Action> advance(long now, List<Action> out) {
    for (Task t : List.copyOf(tasks.values())) {
      if (t.state() == State.RUNNING && now - t.lastProgressAt() > strategy.taskTimeoutMillis()) {
        failed(t, now, "no step reported for " + strategy.taskTimeoutMillis() + " ms");
      }
    }
    while (stepOnce(now, out)) {
      // each pass changes the state; stop when a pass has nothing more to do
    }
    return out;
  }

  private boolean stepOnce(long now, List<Action> out) {
    return switch (status) {
      case RUNNING -> running(now, out);
      case ROLLING_BACK -> rollingBack(now, out);
      case SUCCEEDED -> startReady(Purpose.FORWARD, now, out);
      case ROLLED_BACK -> startReady(Purpose.ROLLBACK, now, out);
      // A rollback that failed on some nodes still undoes the others as they return.
      case FAILED -> rollbackPlanned && startReady(Purpose.ROLLBACK, now, out);
      default -> false;
    };
  }

  private boolean running(long now, List<Action> out) {
    String beyond = beyondThreshold();
    if (beyond != null) {
      stop(beyond, out);
      return true;
    }
    if (paused) {
      return false;
    }
    if (phase == phases.size()) {
      finish(Status.SUCCEEDED, "", out);
      return true;
    }
    Phase p = phases.get(phase);
    if (!p.planned()) {
      planPhase(p, now);
      return true;
    }
    if (batch == p.batches().size()) {
      phase++;
      batch = 0;
      return true;
    }
    if (!batchStarted) {
      if (strategy.interactive() && !approved) {
        if (!approvalAnnounced) {
          approvalAnnounced = true;
          out.add(new Action.AwaitApproval(p.module(), batch, p.batches().get(batch)));
        }
        return startReady(Purpose.FORWARD, now, out);
      }
      startBatch(p, now);
      return true;
    }
    boolean started = startReady(Purpose.FORWARD, now, out);
    if (batchDone(now)) {
      batch++;
      batchStarted = false;
      approved = false;
      approvalAnnounced = false;
      return true;
    }
    return started;
  }

  /** Why the rollout must stop, or null: failures beyond the threshold, or any failure in a canary batch. */
  private String beyondThreshold() {
    if (failures > strategy.failureThreshold()) {
      return failures + " failed node(s), more than the threshold of " + strategy.failureThreshold();
    }
    boolean canary = strategy.canary() != null && batch == 0 && batchStarted;
    if (canary && tasks.values().stream().anyMatch(t -> inCurrentBatch(t) && t.state() == State.FAILED)) {
      return "a node of the canary batch of " + phases.get(phase).module() + " failed";
    }
    return null;
  }

  private void stop(String why, List<Action> out) {
    dropPending();
    reason = why;
    if (strategy.automaticRollback()) {
      status = Status.ROLLING_BACK;
    } else {
      finish(Status.FAILED, why, out);
    }
  }

  private void finish(Status s, String why, List<Action> out) {
    status = s;
    reason = why;
    out.add(new Action.Finished(s, why));
  }

  /** Tasks never told to a node are forgotten: stopping leaves those nodes untouched. */
  private void dropPending() {
    tasks.values().removeIf(t -> t.state() == State.PENDING);
  }

  /** The phase's nodes that are up go into batches; those away are deferred (repaired when back); failed ones are skipped. */
  private void planPhase(Phase p, long now) {
    Set<String> failedNodes = new HashSet<>();
    tasks.values().stream().filter(t -> t.state() == State.FAILED).forEach(t -> failedNodes.add(t.node()));
    List<String> up = new ArrayList<>();
    for (String n : p.nodes()) {
      if (failedNodes.contains(n)) {
        continue;
      }
      if (nodes.get(n).up()) {
        up.add(n);
      } else {
        Task t = newTask(n, p, -1, State.DEFERRED);
        tasks.put(t.key(), t.with(State.DEFERRED, now, "node away when " + p.module() + " started"));
      }
    }
    List<List<String>> batches = new ArrayList<>();
    int at = 0;
    int size = 0;
    for (int i = 0; at < up.size(); i++) {
      if (i == 0 && strategy.canary() != null) {
        size = strategy.canary().of(up.size(), true);
      } else {
        int k = strategy.canary() != null ? i - 1 : i;
        size = strategy.batches().get(Math.min(k, strategy.batches().size() - 1)).of(up.size(), true);
      }
      batches.add(up.subList(at, Math.min(up.size(), at + size)));
      at += size;
    }
    phases.set(phase, new Phase(p.module(), p.version(), p.nodes(), batches, true));
  }

  private Task newTask(String node, Phase p, int inBatch, State state) {
    String from = nodes.get(node).versions().getOrDefault(p.module(), "");
    int steps = catalog.steps(p.module(), from, p.version()).size();
    return new Task(node, p.module(), from, p.version(), Purpose.FORWARD, state, phase, inBatch, 0, steps, false, 0, 0, "");
  }

  private void startBatch(Phase p, long now) {
    for (String n : p.batches().get(batch)) {
      Task t = newTask(n, p, batch, State.PENDING);
      tasks.put(t.key(), nodes.get(n).up() ? t : t.with(State.DEFERRED, now, "node away when its batch started"));
    }
    batchStarted = true;
  }

  private boolean inCurrentBatch(Task t) {
    return t.purpose() == Purpose.FORWARD && t.phase() == phase && t.batch() == batch;
  }

  /** Every task of the batch ended (or went away with its node), and the last success has stayed healthy long enough. */
  private boolean batchDone(long now) {
    long healthySince = 0;
    for (Task t : tasks.values()) {
      if (inCurrentBatch(t)) {
        if (t.state() == State.PENDING || t.state() == State.RUNNING) {
          return false;
        }
        healthySince = Math.max(healthySince, t.state() == State.SUCCEEDED ? t.succeededAt() : 0);
      }
    }
    return now >= healthySince + strategy.minHealthyMillis();
  }

  private boolean rollingBack(long now, List<Action> out) {
    if (tasks.values().stream().anyMatch(t -> t.purpose() == Purpose.FORWARD && t.state() == State.RUNNING)) {
      return false; // the node is mid-step: undo it once it has reported its end
    }
    if (!rollbackPlanned) {
      planRollback(now);
      return true;
    }
    if (paused) {
      return false;
    }
    boolean started = startReady(Purpose.ROLLBACK, now, out);
    boolean running = rollbackTasksIn(State.RUNNING);
    boolean pending = rollbackTasksIn(State.PENDING);
    List<String> broken = tasks.values().stream()
        .filter(t -> t.purpose() == Purpose.ROLLBACK && t.state() == State.FAILED).map(Task::node).sorted().toList();
    if (running || started || (pending && broken.isEmpty())) {
      return started;
    }
    if (broken.isEmpty()) {
      finish(Status.ROLLED_BACK, reason, out);
    } else {
      // Nodes whose rollback failed stay unavailable: what still waits for their roles' budget is left to the operator
      // (it starts by itself if the budget frees).
      finish(Status.FAILED, reason + "; rollback failed on " + String.join(", ", broken)
          + (pending ? "; the rest waits for unavailable nodes" : ""), out);
    }
    return true;
  }

  private boolean rollbackTasksIn(State state) {
    return tasks.values().stream().anyMatch(t -> t.purpose() == Purpose.ROLLBACK && t.state() == state);
  }

  /** A rollback task for every forward task a node was told about; nodes away get theirs when they return. */
  private void planRollback(long now) {
    for (Task f : List.copyOf(tasks.values())) {
      if (f.purpose() == Purpose.FORWARD && f.applied() && f.state() != State.ROLLED_BACK) {
        int steps = catalog.steps(f.module(), f.toVersion(), f.fromVersion()).size();
        Task r = new Task(f.node(), f.module(), f.toVersion(), f.fromVersion(), Purpose.ROLLBACK, State.PENDING, f.phase(),
            f.batch(), 0, steps, false, 0, 0, "");
        tasks.put(r.key(), nodes.get(f.node()).up() ? r : r.with(State.DEFERRED, now, "node away"));
      }
    }
    rollbackPlanned = true;
  }

  /**
   * Starts the tasks of {@code purpose} that may start now: pending ones, and deferred ones whose node is back.
   * Forward tasks go in phase order, rollback tasks in reverse phase order (dependents are undone first); a node
   * runs one task at a time; no role gets more unavailable nodes than the strategy allows.
   */
  private boolean startReady(Purpose purpose, long now, List<Action> out) {
    if (paused) {
      return false;
    }
    Comparator<Task> order = Comparator.comparingInt(Task::phase);
    List<Task> ready = tasks.values().stream()
        .filter(t -> t.purpose() == purpose && nodes.get(t.node()).up())
        .filter(t -> t.state() == State.PENDING || t.state() == State.DEFERRED)
        .sorted(purpose == Purpose.FORWARD ? order : order.reversed())
        .toList();
    Set<String> unavailable = unavailableNodes();
    Map<String, Integer> unavailableByRole = new HashMap<>();
    unavailable.forEach(n -> nodes.get(n).roles().forEach(r -> unavailableByRole.merge(r, 1, Integer::sum)));
    boolean started = false;
    for (Task t : ready) {
      // A broken node is undone at once: it serves nothing, and its rollback frees its roles' budget.
      if (purpose == Purpose.ROLLBACK && undoneLaterPhase(t) && !brokenByAnother(t)) {
        continue;
      }
      if (purpose == Purpose.FORWARD && brokenByAnother(t)) {
        // A node with a failed task gets no further change; its task waits (without holding up its batch).
        if (t.state() == State.PENDING) {
          tasks.put(t.key(), t.with(State.DEFERRED, now, "waits: the node has a failed task"));
        }
        continue;
      }
      if (busyOrBlocked(t) || !fits(t.node(), unavailable, unavailableByRole)) {
        continue;
      }
      if (unavailable.add(t.node())) {
        nodes.get(t.node()).roles().forEach(r -> unavailableByRole.merge(r, 1, Integer::sum));
      }
      Task running = t.with(State.RUNNING, now, "");
      tasks.put(running.key(), running);
      out.add(apply(running));
      started = true;
    }
    return started;
  }

  /** A rollback task waits while a task of a later phase still has to be undone on a node that is up. */
  private boolean undoneLaterPhase(Task r) {
    return tasks.values().stream().anyMatch(o -> o.purpose() == Purpose.ROLLBACK && o.phase() > r.phase()
        && (o.state() == State.PENDING || o.state() == State.RUNNING
        || (o.state() == State.DEFERRED && nodes.get(o.node()).up())));
  }

  /** The node runs another task, or (forward) an earlier module on it is still to be done. */
  private boolean busyOrBlocked(Task t) {
    for (Task o : tasks.values()) {
      if (o != t && o.node().equals(t.node())) {
        if (o.state() == State.RUNNING) {
          return true;
        }
        boolean earlierOpen = o.phase() < t.phase() && (o.state() == State.PENDING || o.state() == State.DEFERRED);
        if (t.purpose() == Purpose.FORWARD && o.purpose() == Purpose.FORWARD && earlierOpen) {
          return true;
        }
      }
    }
    return false;
  }

  private boolean brokenByAnother(Task t) {
    return tasks.values().stream().anyMatch(o -> o != t && o.node().equals(t.node()) && o.state() == State.FAILED);
  }

  /** Down, in a task, or broken by a failed one. */
  private Set<String> unavailableNodes() {
    Set<String> out = new HashSet<>();
    nodes.values().stream().filter(n -> !n.up()).forEach(n -> out.add(n.id()));
    tasks.values().stream().filter(t -> t.state() == State.RUNNING || t.state() == State.FAILED)
        .forEach(t -> out.add(t.node()));
    return out;
  }

  private boolean fits(String node, Set<String> unavailable, Map<String, Integer> byRole) {
    if (unavailable.contains(node)) {
      return true; // already counted: working on it makes nothing worse
    }
    for (String role : nodes.get(node).roles()) {
      int ofRole = (int) nodes.values().stream().filter(n -> n.roles().contains(role)).count();
      if (byRole.getOrDefault(role, 0) + 1 > strategy.maxUnavailable(role, ofRole)) {
        return false;
      }
    }
    return true;
  }

  private Action.Apply apply(Task t) {
    return new Action.Apply(t.node(), t.module(), t.fromVersion(), t.toVersion(), t.purpose(),
        catalog.steps(t.module(), t.fromVersion(), t.toVersion()), t.stepsDone());
  }

  private Task running(String node, String module, String version) {
    for (Purpose p : Purpose.values()) {
      Task t = tasks.get(Task.key(node, module, p));
      if (t != null && t.state() == State.RUNNING && t.toVersion().equals(version)) {
        return t;
      }
    }
    return null;
  }

  private void succeeded(Task t, long now) {
    tasks.put(t.key(), t.with(State.SUCCEEDED, now, ""));
    nodes.put(t.node(), nodes.get(t.node()).withVersion(t.module(), t.toVersion()));
    if (t.purpose() == Purpose.ROLLBACK) {
      Task forward = tasks.get(Task.key(t.node(), t.module(), Purpose.FORWARD));
      // A failure's reason stays visible after the node was undone (the operator asks why).
      tasks.put(forward.key(), forward.with(State.ROLLED_BACK, now, forward.state() == State.FAILED
          ? "rolled back after: " + forward.detail() : "rolled back"));
    }
  }

  private void failed(Task t, long now, String why) {
    tasks.put(t.key(), t.with(State.FAILED, now, why));
    if (t.purpose() == Purpose.FORWARD) {
      failures++;
    }
  }
}
