package io.feitian.dayu.control;

import io.feitian.dayu.db.ConfigDatabase;
import io.feitian.dayu.db.NewRollout;
import io.feitian.dayu.db.Node;
import io.feitian.dayu.db.NodeTask;
import io.feitian.dayu.db.NotFoundException;
import io.feitian.dayu.db.RolloutStore;
import io.feitian.dayu.descriptor.Step;
import io.feitian.dayu.descriptor.StepKind;
import io.feitian.dayu.launcher.LauncherFiles;
import io.feitian.dayu.rollout.Action;
import io.feitian.dayu.rollout.Catalog;
import io.feitian.dayu.rollout.Kind;
import io.feitian.dayu.rollout.NodeView;
import io.feitian.dayu.rollout.Rollout;
import io.feitian.dayu.rollout.RolloutRequest;
import io.feitian.dayu.rollout.RolloutState;
import io.feitian.dayu.rollout.Status;
import io.feitian.dayu.rollout.Strategy;
import io.feitian.dayu.rollout.Task;
import io.feitian.proto.dayu.v1.ModuleWork;
import io.feitian.proto.dayu.v1.NodeWork;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * dayu-server's rollout driver: the shell around the pure {@link Rollout} core. It feeds the core
 * its inputs (operator commands, agents' step reports, agents coming and going, the time), records
 * the core's state in the configuration database before acting on what the core decided (write,
 * then act), and sends each node's work down its agent's Watch stream.
 *
 * <p>Writing first means a server that dies between the two re-sends the work from the database
 * (an agent runs a step twice at worst, and steps are idempotent), never acts on a decision that
 * was not recorded. Each write is a compare-and-set on the rollout's revision: when it fails
 * (another server took over, or the database refused) the in-memory core goes back to the state
 * last written, so memory and database never disagree. One lock guards everything: rollouts are
 * few and each input is a few microseconds of planning plus one transaction.
 */
public final class RolloutControl {
  private static final Logger log = LoggerFactory.getLogger(RolloutControl.class);

  private final ConfigDatabase db;
  private final RolloutSettings settings;
  private final LongSupplier clock;
  private final PublishedModules published;
  private final long startedAt;
  /** Rollouts with work left: active ones, and settled ones with nodes still to repair. */
  private final Map<Long, Live> live = new TreeMap<>();
  /** By cluster and host: the node's open Watch streams and since when it has none. */
  private final Map<String, Presence> presence = new HashMap<>();

  public RolloutControl(ConfigDatabase db, RolloutSettings settings, LongSupplier clock) {
    this.db = db;
    this.settings = settings;
    this.clock = clock;
    this.published = new PublishedModules(db.modules());
    this.startedAt = clock.getAsLong();
  }

  /** A rollout as the operator API shows it: the stored record and the core's state. */
  public record View(io.feitian.dayu.db.Rollout record, RolloutState state) {
    public boolean awaitingApproval() {
      return state.awaitingApproval();
    }
  }

  public enum Verb { PAUSE, RESUME, APPROVE, ABORT, ROLLBACK }

  /** Picks up every rollout left unsettled in the database (a restarted server) and re-sends its work. */
  public synchronized void resume() {
    for (io.feitian.dayu.db.Rollout r : db.rollouts().unsettled()) {
      Live l = load(r);
      live.put(r.id(), l);
      log.info("resuming rollout {} of cluster {} ({})", r.id(), r.cluster(), r.state());
      drive(l, core -> core.reissue(now()));
    }
  }

  /**
   * Plans and records a rollout, then starts it. IllegalArgumentException naming the field when
   * the request is refused, IllegalStateException when the cluster already has one running.
   */
  public synchronized View start(String cluster, Kind kind, Map<String, String> targets, Set<String> nodes,
      Strategy strategy, String createdBy) {
    if (db.clusters().cluster(cluster).isEmpty()) {
      throw new NotFoundException("cluster: no cluster \"" + cluster + "\"");
    }
    Map<String, String> wanted = kind == Kind.SCALE_OUT && targets.isEmpty()
        ? db.modules().clusterVersions(cluster) : targets;
    Catalog catalog = published.catalog();
    Rollout core = Rollout.plan(new RolloutRequest(kind, wanted, nodes, strategy), nodeViews(cluster), catalog);
    List<Action> actions = core.tick(now());
    RolloutState s = core.state();
    io.feitian.dayu.db.Rollout record = db.rollouts().create(new NewRollout(cluster, kind, wanted, nodes,
        StateCodec.strategyText(strategy), createdBy, stateOf(s), StateCodec.encode(s), tasks(s.tasks().values())));
    Live l = new Live(record, core, catalog);
    l.written = s;
    live.put(record.id(), l);
    log.info("rollout {} of cluster {} started by {}: {} {}", record.id(), cluster, createdBy, kind, wanted);
    act(l, actions);
    settleIfDone(l);
    return new View(l.record, s);
  }

  /** An operator's command; IllegalStateException when it does not apply to the rollout's state. */
  public synchronized View command(long id, Verb verb) {
    Live l = live.get(id);
    if (l == null) {
      l = load(record(id));
    }
    Live target = l;
    drive(l, core -> switch (verb) {
      case PAUSE -> core.pause(now());
      case RESUME -> core.resume(now());
      case APPROVE -> core.approveNextBatch(now());
      case ABORT -> core.abort(now());
      case ROLLBACK -> core.rollback(now());
    });
    if (!live.containsKey(id) && !settled(target.core.state())) {
      live.put(id, target);
    }
    log.info("rollout {}: {} by the operator, now {}", id, verb, target.core.status());
    return new View(target.record, target.core.state());
  }

  public synchronized View view(long id) {
    Live l = live.get(id);
    return l != null ? new View(l.record, l.core.state()) : view(record(id));
  }

  /** The cluster's rollouts, newest first. */
  public synchronized List<View> views(String cluster) {
    return db.rollouts().rollouts(cluster).stream().map(r -> {
      Live l = live.get(r.id());
      return l != null ? new View(l.record, l.core.state()) : view(r);
    }).toList();
  }

  private static View view(io.feitian.dayu.db.Rollout r) {
    return new View(r, StateCodec.decode(r.controllerState()));
  }

  /**
   * A node's agent starts: records what is installed there (and that it was seen); returns the
   * node. Database only: not under the lock, so agents registering never wait for each other.
   */
  public Node register(String cluster, String host, Map<String, String> installed) {
    Node node = db.clusters().checkIn(cluster, host);
    db.clusters().reportModules(cluster, host, installed);
    return node;
  }

  /**
   * A node's agent opens its Watch: it gets its outstanding work at once, then each new piece.
   * Rollouts that counted the node away resume its tasks. Returns what closes the watch.
   */
  public Runnable watch(String cluster, String host, Consumer<NodeWork> sink) {
    // A read, not a check-in (the agent checked in when it registered), and outside the lock.
    if (db.clusters().node(cluster, host).isEmpty()) {
      throw new NotFoundException("host: no node \"" + host + "\" in cluster \"" + cluster + "\"");
    }
    synchronized (this) {
      return watching(cluster, host, sink);
    }
  }

  private Runnable watching(String cluster, String host, Consumer<NodeWork> sink) {
    Presence p = presence.computeIfAbsent(key(cluster, host), k -> new Presence());
    p.sinks.add(sink);
    NodeWork.Builder outstanding = NodeWork.newBuilder();
    for (Live l : inCluster(cluster)) {
      l.core.state().tasks().values().stream()
          .filter(t -> t.node().equals(host) && t.state() == Task.State.RUNNING)
          .forEach(t -> outstanding.addWork(work(l, host, t.module(), t.fromVersion(), t.toVersion(),
              l.catalog.steps(t.module(), t.fromVersion(), t.toVersion()), t.stepsDone())));
    }
    send(sink, outstanding.build());
    for (Live l : inCluster(cluster)) {
      NodeView n = l.core.state().nodes().get(host);
      if (n != null && !n.up()) {
        log.info("rollout {}: node {} is back", l.record.id(), host);
        drive(l, core -> core.nodeUp(now(), host));
      }
    }
    return () -> unwatch(cluster, host, sink);
  }

  private synchronized void unwatch(String cluster, String host, Consumer<NodeWork> sink) {
    Presence p = presence.get(key(cluster, host));
    if (p != null && p.sinks.remove(sink) && p.sinks.isEmpty()) {
      p.awaySince = now();
    }
  }

  /** An agent's report of one step; late, repeated or unknown reports change nothing. */
  public synchronized void report(String cluster, String host, long rolloutId, String module, String toVersion,
      int step, boolean ok, String detail) {
    Live l = live.get(rolloutId);
    if (l == null || !l.record.cluster().equals(cluster)) {
      log.debug("ignoring a report for rollout {} from {}/{}: not running here", rolloutId, cluster, host);
      return;
    }
    drive(l, core -> ok ? core.stepDone(now(), host, module, toVersion, step)
        : core.stepFailed(now(), host, module, toVersion, step, detail));
  }

  /** The time goes on: batch waits end, tasks time out, nodes without a Watch past the grace are away. */
  public synchronized void tick() {
    long now = now();
    for (Live l : List.copyOf(live.values())) {
      try {
        for (NodeView n : l.core.state().nodes().values()) {
          if (n.up() && awayLongerThanGrace(l.record.cluster(), n.id(), now) && !replacingItsAgent(l, n.id())) {
            log.info("rollout {}: node {} has had no agent for {}; its tasks wait for it", l.record.id(), n.id(),
                settings.agentGrace());
            drive(l, core -> core.nodeDown(now, n.id()));
          }
        }
        drive(l, core -> core.tick(now));
      } catch (RuntimeException e) {
        log.warn("rollout {}: tick failed, retried at the next one: {}", l.record.id(), e.toString());
      }
    }
  }

  // ---- the shell around the core ----------------------------------------------------------------

  /** One input to a rollout's core: record the result, then act on it; on a failed write, forget it. */
  private void drive(Live l, Function<Rollout, List<Action>> input) {
    List<Action> actions = input.apply(l.core);
    RolloutState s = l.core.state();
    // Records compare deeply: a tick with nothing due costs neither an encoding nor a transaction.
    if (!s.equals(l.written)) {
      List<Task> changed = s.tasks().entrySet().stream()
          .filter(e -> !e.getValue().equals(l.written.tasks().get(e.getKey()))).map(Map.Entry::getValue).toList();
      try {
        l.record = db.rollouts().update(l.record.id(), l.record.rev(), stateOf(s), s.paused(),
            StateCodec.encode(s), repairsPending(s), tasks(changed));
      } catch (RuntimeException e) {
        l.core = Rollout.restore(l.written, l.catalog);
        throw e;
      }
      l.written = s;
      changed.stream().filter(t -> t.state() == Task.State.SUCCEEDED).map(Task::node).distinct()
          .forEach(host -> recordVersions(l.record.cluster(), host, s.nodes().get(host)));
    }
    act(l, actions);
    settleIfDone(l);
  }

  private void act(Live l, List<Action> actions) {
    for (Action a : actions) {
      if (a instanceof Action.Apply apply) {
        ModuleWork w = work(l, apply.node(), apply.module(), apply.fromVersion(), apply.toVersion(), apply.steps(),
            apply.firstStep());
        Presence p = presence.get(key(l.record.cluster(), apply.node()));
        if (p != null) {
          List.copyOf(p.sinks).forEach(sink -> send(sink, NodeWork.newBuilder().addWork(w).build()));
        }
      } else if (a instanceof Action.AwaitApproval wait) {
        log.info("rollout {}: batch {} of {} ({}) awaits the operator's approval", l.record.id(), wait.batch(),
            wait.module(), wait.nodes());
      } else if (a instanceof Action.Finished end) {
        log.info("rollout {}: {}{}", l.record.id(), end.status(), end.reason().isEmpty() ? "" : " (" + end.reason() + ")");
      }
    }
  }

  private void settleIfDone(Live l) {
    if (settled(l.core.state())) {
      live.remove(l.record.id());
    }
  }

  /** Nothing left to do: stopped or done, no task running, no node to repair. */
  private static boolean settled(RolloutState s) {
    return s.status() != Status.RUNNING && s.status() != Status.ROLLING_BACK && !repairsPending(s)
        && s.tasks().values().stream().noneMatch(t -> t.state() == Task.State.RUNNING);
  }

  /** A finished rollout whose nodes that were away wait, or are being brought, to where it ended. */
  private static boolean repairsPending(RolloutState s) {
    return (s.status() == Status.SUCCEEDED || s.status() == Status.ROLLED_BACK) && s.tasks().values().stream()
        .anyMatch(t -> t.state() == Task.State.DEFERRED || t.state() == Task.State.RUNNING);
  }

  /** What a node runs now, as the core counts it: the next plan starts from there. */
  private void recordVersions(String cluster, String host, NodeView node) {
    try {
      db.clusters().reportModules(cluster, host, node.versions());
    } catch (RuntimeException e) {
      // A node removed meanwhile (a scale-in that succeeded deletes its nodes), or the database
      // failing: its agent reports them when it registers.
      log.info("could not record the versions of {}: {}", host, e.getMessage());
    }
  }

  private ModuleWork work(Live l, String host, String module, String from, String to,
      List<io.feitian.dayu.descriptor.Step> steps, int firstStep) {
    ModuleWork.Builder w = ModuleWork.newBuilder()
        .setRolloutId(l.record.id())
        .setModule(module)
        .setFromVersion(from)
        .setToVersion(to)
        .setPurpose(to.isEmpty() ? "REMOVE" : from.isEmpty() ? "DEPLOY" : "UPGRADE")
        .setFirstStep(firstStep);
    steps.forEach(s -> w.addStepsBuilder().setKind(s.kind().word()).putAllParams(s.params()));
    if (!to.isEmpty()) {
      published.version(module, to).ifPresent(v -> w.setSha256(v.sha256()).setSizeBytes(v.sizeBytes()));
    }
    published.version(module, to.isEmpty() ? from : to).ifPresent(v -> w.setDescriptorText(v.descriptor()));
    try {
      w.putAllParams(db.params().effective(l.record.cluster(), module, host));
    } catch (NotFoundException e) {
      log.debug("no parameters for {} on {}: {}", module, host, e.getMessage());
    }
    return w.build();
  }

  private void send(Consumer<NodeWork> sink, NodeWork work) {
    try {
      sink.accept(work);
    } catch (RuntimeException e) {
      log.debug("a Watch stream refused work: {}", e.toString());
    }
  }

  /**
   * Whether the node is replacing its own agent: a task of module dayu-agent whose next step is
   * {@code start} or later (or any step of a removal, which switches at its first), so the old
   * agent may have asked its launcher to switch. The agent is then stopped and the new one (or the
   * one the launcher goes back to) registers once started, which may take longer than the grace
   * on a loaded host; counting the node away would defer its task and let the rollout end
   * SUCCEEDED before any agent confirmed the version. Its absence is bounded by the task timeout
   * instead (and the launcher's trial window). docs/DAYU.md, "Self-upgrade of dayu-agent".
   */
  private static boolean replacingItsAgent(Live l, String host) {
    return l.core.state().tasks().values().stream().anyMatch(t -> t.node().equals(host)
        && t.state() == Task.State.RUNNING && t.module().equals(LauncherFiles.MODULE)
        && t.stepsDone() >= switchStep(l.catalog.steps(t.module(), t.fromVersion(), t.toVersion())));
  }

  /** The index of the step at which an agent task switches agents: {@code start}, else the first (a removal). */
  private static int switchStep(List<Step> steps) {
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).kind() == StepKind.START) {
        return i;
      }
    }
    return 0;
  }

  private boolean awayLongerThanGrace(String cluster, String host, long now) {
    Presence p = presence.get(key(cluster, host));
    if (p != null && !p.sinks.isEmpty()) {
      return false;
    }
    long since = p == null ? startedAt : p.awaySince;
    return now - since > settings.agentGrace().toMillis();
  }

  private List<NodeView> nodeViews(String cluster) {
    Map<String, Map<String, String>> installed = db.clusters().nodeModules(cluster);
    List<NodeView> out = new ArrayList<>();
    for (Node n : db.clusters().nodes(cluster)) {
      Presence p = presence.get(key(cluster, n.host()));
      out.add(new NodeView(n.host(), n.roles(), installed.getOrDefault(n.host(), Map.of()),
          p != null && !p.sinks.isEmpty()));
    }
    return out;
  }

  private List<Live> inCluster(String cluster) {
    return live.values().stream().filter(l -> l.record.cluster().equals(cluster)).toList();
  }

  private io.feitian.dayu.db.Rollout record(long id) {
    return db.rollouts().rollout(id).orElseThrow(() -> new NotFoundException("id: no rollout " + id));
  }

  private Live load(io.feitian.dayu.db.Rollout r) {
    Catalog catalog = published.catalog();
    RolloutState s = StateCodec.decode(r.controllerState());
    Live l = new Live(r, Rollout.restore(s, catalog), catalog);
    l.written = s;
    return l;
  }

  private static io.feitian.dayu.db.Rollout.State stateOf(RolloutState s) {
    return io.feitian.dayu.db.Rollout.State.of(s.status());
  }

  private static List<NodeTask> tasks(java.util.Collection<Task> tasks) {
    return tasks.stream().map(t -> new NodeTask(t.node(), t.module(), t.purpose().name(), t.fromVersion(),
        t.toVersion(), t.state().name(), t.phase(), t.batch(), t.stepsDone(), t.stepCount(), clip(t.detail()), null))
        .toList();
  }

  /** The database keeps a task's detail short; the core's full text stays in its state. */
  private static String clip(String detail) {
    int max = RolloutStore.MAX_DETAIL_CHARS;
    return detail.length() <= max ? detail : detail.substring(0, max - 3) + "...";
  }

  private static String key(String cluster, String host) {
    return cluster + "\n" + host;
  }

  private long now() {
    return clock.getAsLong();
  }

  private static final class Live {
    io.feitian.dayu.db.Rollout record;
    Rollout core;
    final Catalog catalog;
    /** The core's state as last written: what a write changes is what differs from it. */
    RolloutState written;

    Live(io.feitian.dayu.db.Rollout record, Rollout core, Catalog catalog) {
      this.record = Objects.requireNonNull(record);
      this.core = core;
      this.catalog = catalog;
    }
  }

  private static final class Presence {
    final List<Consumer<NodeWork>> sinks = new ArrayList<>();
    long awaySince;
  }
}
