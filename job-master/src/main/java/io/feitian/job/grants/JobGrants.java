package io.feitian.job.grants;

import io.feitian.job.grants.Effect.AdjustDemand;
import io.feitian.job.grants.Effect.AskForWorkers;
import io.feitian.job.grants.Effect.Decline;
import io.feitian.job.grants.Effect.DropRevoked;
import io.feitian.job.grants.Effect.FailJob;
import io.feitian.job.grants.Effect.Launch;
import io.feitian.job.grants.Effect.NodeLost;
import io.feitian.job.grants.Effect.RefuseWorker;
import io.feitian.job.grants.Effect.ResumeWork;
import io.feitian.job.grants.Effect.ReturnGrant;
import io.feitian.job.grants.Effect.WakeAt;
import io.feitian.proto.fuxi.v1.Grant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The grants one job-master holds, and its adoption of the workers a
 * predecessor left running. Every call takes the time it happens at and
 * returns the {@link Effect}s to carry out; see the package doc for the model.
 */
public final class JobGrants {
  /** Launches that may fail (bad node, full disk) before the job gives up. */
  public static final int MAX_LAUNCH_FAILURES = 20;
  /** How long a node whose task-worker could not be reached is avoided (Fuxi declares a dead one lost by then). */
  public static final long UNREACHABLE_AVOID_MS = 30_000;
  /** How long a restarted master holds back new work for its predecessor's workers to come back. */
  public static final long ADOPT_WAIT_MS = 5_000;
  /**
   * A claimed grant whose worker has not come back in this long is returned
   * (a live worker looks for its master every 0.5 s at most, so it is back well before).
   */
  public static final long ADOPT_GIVE_UP_MS = 15_000;

  private final Set<String> tasks;
  /** Every grant held, by id: its unit is its task, its node address the task-worker that runs its worker. */
  private final Map<Long, Grant> held = new LinkedHashMap<>();
  /** Claimed grants whose worker has not said hello yet, and since when. Always a subset of {@link #held}. */
  private final Map<Long, Long> awaitingHello = new LinkedHashMap<>();
  /** Nodes whose task-worker did not answer a launch, until when they are avoided. */
  private final Map<String, Long> unreachableUntil = new HashMap<>();
  /** The task-workers of every grant held so far: the job's pipeline data lives there. */
  private final Set<String> nodesUsed = new LinkedHashSet<>();
  /** Until when new work is held back for the predecessor's workers; 0 when it is not. */
  private long adoptUntil;
  private int launchFailures;

  /** The book of a job with these tasks (a grant's unit names its task). */
  public JobGrants(Collection<String> tasks) {
    this.tasks = Set.copyOf(tasks);
  }

  /**
   * The master starts, holding the grants its predecessor recorded (those of
   * units that are not tasks of this job are left out: Fuxi revokes them as
   * unclaimed). Their workers are awaited: until all have said hello, or
   * {@link #ADOPT_WAIT_MS} has passed, no new work is handed out; their
   * nodes are asked which of them still run.
   */
  public List<Effect> start(List<Grant> claimed, long now) {
    for (Grant g : claimed) {
      if (tasks.contains(g.getUnit())) {
        hold(g);
        awaitingHello.put(g.getGrantId(), now);
      }
    }
    if (awaitingHello.isEmpty()) {
      return List.of();
    }
    adoptUntil = now + ADOPT_WAIT_MS;
    List<Effect> effects = new ArrayList<>();
    awaitingHello.keySet().stream().map(id -> held.get(id).getNodeAddress()).distinct()
        .forEach(address -> effects.add(new AskForWorkers(address)));
    effects.add(new WakeAt(adoptUntil));
    return effects;
  }

  /**
   * Fuxi granted {@code g}. It is taken and a worker launched in it when its
   * task wants workers ({@code wanted}: the task runs, the job has not ended)
   * and its node is neither avoided by the job ({@code avoid}: blacklisted,
   * running stragglers) nor unreachable; otherwise it goes straight back and
   * the task asks again.
   */
  public List<Effect> granted(Grant g, boolean wanted, Set<String> avoid, long now) {
    long id = g.getGrantId();
    if (!tasks.contains(g.getUnit())) {
      return List.of(new Decline(id, "unit '" + g.getUnit() + "' is not a task of this job"));
    }
    String refusal = refusal(g, wanted, avoid, now);
    if (refusal != null) {
      return List.of(new Decline(id, refusal), new AdjustDemand(g.getUnit()));
    }
    hold(g);
    return List.of(new Launch(g));
  }

  /** Why a grant of one of the job's tasks is not taken, or null if it is. */
  private String refusal(Grant g, boolean wanted, Set<String> avoid, long now) {
    if (!wanted) {
      return "task " + g.getUnit() + " wants no more workers";
    }
    if (avoid.contains(g.getNodeId())) {
      return "node " + g.getNodeId() + " is avoided for task " + g.getUnit();
    }
    if (unreachable(g.getNodeId(), now)) {
      return "node " + g.getNodeId() + "'s task-worker could not be reached lately";
    }
    return null;
  }

  /**
   * The Task Worker of grant {@code g} could not be started ({@code why}).
   * The grant goes back. An unreachable node (dead, but not yet declared lost
   * by Fuxi) is avoided for {@link #UNREACHABLE_AVOID_MS} and does not count
   * against the job; other failures (the node refused) count, and more than
   * {@link #MAX_LAUNCH_FAILURES} fail the job.
   */
  public List<Effect> launchFailed(Grant g, boolean unreachable, String why, long now) {
    List<Effect> effects = new ArrayList<>();
    release(g.getGrantId(), "its worker could not be started", effects);
    if (unreachable) {
      unreachableUntil.values().removeIf(until -> until < now);
      unreachableUntil.put(g.getNodeId(), now + UNREACHABLE_AVOID_MS);
    } else if (++launchFailures > MAX_LAUNCH_FAILURES) {
      effects.add(new FailJob("could not start Task Workers " + launchFailures + " times; last on " + g.getNodeId()
          + ": " + why));
      return effects;
    }
    effects.add(new AdjustDemand(g.getUnit()));
    return effects;
  }

  /**
   * The task-worker at {@code nodeAddress} runs workers in the grants
   * {@code running}. A claimed grant there that is not among them has nobody
   * to come back: it is returned at once, and the hold does not wait for it.
   */
  public List<Effect> workersListed(String nodeAddress, Set<Long> running) {
    List<Effect> effects = new ArrayList<>();
    for (long id : List.copyOf(awaitingHello.keySet())) {
      if (nodeAddress.equals(held.get(id).getNodeAddress()) && !running.contains(id)) {
        giveUp(id, "claimed, but its node runs no worker in it", effects);
      }
    }
    return effects;
  }

  /**
   * A worker says hello from grant {@code grantId} for {@code task}. It is
   * refused unless that grant is held for that task. A claimed grant's worker
   * is back; the last one back ends the hold on new work.
   */
  public List<Effect> hello(long grantId, String task) {
    Grant g = held.get(grantId);
    if (g == null || !g.getUnit().equals(task)) {
      return List.of(new RefuseWorker("grant " + grantId + " is not held for task '" + task + "'"));
    }
    List<Effect> effects = new ArrayList<>();
    stopAwaiting(grantId, effects);
    return effects;
  }

  /** The worker in a held grant ended: the grant goes back. Nothing if it is no longer held. */
  public List<Effect> workerEnded(long grantId) {
    List<Effect> effects = new ArrayList<>();
    release(grantId, "its worker ended", effects);
    return effects;
  }

  /**
   * Fuxi revoked grant {@code grantId} ({@code nodeLost}: because its node
   * was lost). Its worker ends and its task asks again; a claimed grant is
   * no longer awaited.
   */
  public List<Effect> revoked(long grantId, boolean nodeLost, String detail) {
    Grant g = held.remove(grantId);
    if (g == null) {
      return List.of();
    }
    List<Effect> effects = new ArrayList<>();
    if (nodeLost) {
      effects.add(new NodeLost(g.getNodeAddress(), detail));
    }
    effects.add(new DropRevoked(grantId, nodeLost, detail));
    stopAwaiting(grantId, effects);
    effects.add(new AdjustDemand(g.getUnit()));
    return effects;
  }

  /**
   * Time has come to {@code now} (called at a {@link Effect.WakeAt}, or
   * later): the hold ends at {@link #ADOPT_WAIT_MS}, and claimed grants whose
   * worker has not come back in {@link #ADOPT_GIVE_UP_MS} are returned.
   */
  public List<Effect> tick(long now) {
    List<Effect> effects = new ArrayList<>();
    if (adoptUntil != 0 && now >= adoptUntil) {
      adoptUntil = 0;
      effects.add(new ResumeWork());
    }
    for (var awaiting : List.copyOf(awaitingHello.entrySet())) {
      if (now - awaiting.getValue() >= ADOPT_GIVE_UP_MS) {
        giveUp(awaiting.getKey(), "claimed, but its worker did not come back", effects);
      }
    }
    nextWake().ifPresent(at -> effects.add(new WakeAt(at)));
    return effects;
  }

  /** The job has ended: every grant held, for the master to return at once, and the book forgets them. */
  public List<Long> endAll() {
    List<Long> ids = List.copyOf(held.keySet());
    held.clear();
    awaitingHello.clear();
    adoptUntil = 0;
    return ids;
  }

  /** Whether new work is held back at {@code now}, for the predecessor's workers to come back with theirs. */
  public boolean holdsNewWork(long now) {
    return now < adoptUntil;
  }

  /** Whether grant {@code grantId} is held. */
  public boolean holds(long grantId) {
    return held.containsKey(grantId);
  }

  /** The grants held, in the order they were taken. */
  public List<Grant> held() {
    return List.copyOf(held.values());
  }

  /** How many grants are held for {@code task}. */
  public int heldFor(String task) {
    return (int) held.values().stream().filter(g -> g.getUnit().equals(task)).count();
  }

  /** Claimed grants whose worker has not said hello yet. */
  public Set<Long> awaitingHello() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(awaitingHello.keySet()));
  }

  /** Nodes avoided at {@code now} because their task-worker could not be reached for a launch. */
  public Set<String> unreachableNodes(long now) {
    return unreachableUntil.entrySet().stream().filter(e -> e.getValue() >= now).map(Map.Entry::getKey)
        .collect(Collectors.toUnmodifiableSet());
  }

  /** The task-workers (addresses) of every grant held so far, where the job's pipeline data may be. */
  public Set<String> nodesUsed() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(nodesUsed)); // in the order first used
  }

  private void hold(Grant g) {
    held.put(g.getGrantId(), g);
    nodesUsed.add(g.getNodeAddress());
  }

  private boolean unreachable(String nodeId, long now) {
    Long until = unreachableUntil.get(nodeId);
    return until != null && until >= now;
  }

  private void release(long grantId, String why, List<Effect> effects) {
    if (held.remove(grantId) != null) {
      effects.add(new ReturnGrant(grantId, why));
      stopAwaiting(grantId, effects);
    }
  }

  /** A claimed grant's worker is not coming back: the grant goes back and its task asks again. */
  private void giveUp(long grantId, String why, List<Effect> effects) {
    String task = held.get(grantId).getUnit();
    release(grantId, why, effects);
    effects.add(new AdjustDemand(task));
  }

  /** A claimed grant is no longer awaited (its worker is back, or it is gone); the last one ends the hold. */
  private void stopAwaiting(long grantId, List<Effect> effects) {
    if (awaitingHello.remove(grantId) != null && adoptUntil != 0 && awaitingHello.isEmpty()) {
      adoptUntil = 0;
      effects.add(new ResumeWork());
    }
  }

  /** When {@link #tick} has something left to decide: the end of the hold, or the next give-up. */
  private Optional<Long> nextWake() {
    if (adoptUntil != 0) {
      return Optional.of(adoptUntil);
    }
    return awaitingHello.values().stream().min(Long::compare).map(since -> since + ADOPT_GIVE_UP_MS);
  }
}
