package io.feitian.service.members;

import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.fuxi.v1.LocalityLevel;
import io.feitian.proto.service.v1.WorkerRecord;
import io.feitian.service.members.Effect.Ask;
import io.feitian.service.members.Effect.CheckWorker;
import io.feitian.service.members.Effect.Drain;
import io.feitian.service.members.Effect.ForgetGrant;
import io.feitian.service.members.Effect.Launch;
import io.feitian.service.members.Effect.ReturnGrant;
import io.feitian.service.members.Effect.UnwatchNode;
import io.feitian.service.members.Effect.WatchNode;
import io.feitian.service.partition.Action;
import io.feitian.service.partition.Partition;
import io.feitian.service.partition.PartitionTable;
import io.feitian.service.spec.ServiceSpecValidator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The grants and workers each role of a service holds, and what to do about
 * them: ask Fuxi for the workers a role lacks (within its placement limits),
 * start workers on new grants, return grants a role cannot use, replace
 * workers that end, are lost or never register, drain workers when a role is
 * scaled in, and tell the partitioned role's workers the partition table's
 * moves. See the package documentation for the model and its invariants.
 *
 * <p>A plain object: every call takes a message (and the time, where it
 * matters) and returns the {@link Effect}s to carry out.
 */
public final class MemberBook {
  /** A started worker that has not registered in this long is given up (its grant returned). */
  public static final long REGISTER_TIMEOUT_MS = 30_000;

  /** The partitioned role, its table, how long a lost worker's partitions wait for it, and how many move at once. */
  public record Partitioning(String role, PartitionTable table, long reassignDelayMs, int maxMoves) {}

  /** A registered worker, for the service's status. */
  public record Worker(WorkerRecord record, boolean lost, int partitions) {}

  /** A grant held for a role, and the worker in it once it registered. */
  private static final class Member {
    final Grant grant;
    final long since;
    WorkerRecord worker;
    boolean lost;
    boolean draining;

    Member(Grant grant, long since) {
      this.grant = grant;
      this.since = since;
    }

    String role() {
      return grant.getUnit();
    }

    String workerId() {
      return worker == null ? "" : worker.getWorkerId();
    }
  }

  private final String service;
  private final Map<String, Role> roles = new LinkedHashMap<>();
  /** Null when the service has no partitioned role. */
  private final Partitioning partitioning;
  private final PartitionTable table;
  private final Map<String, Integer> wanted = new LinkedHashMap<>();
  private final Map<Long, Member> members = new LinkedHashMap<>();
  private final Map<String, Long> grantOfWorker = new HashMap<>();
  /** Per role, workers asked of Fuxi per node ("" for anywhere). */
  private final Map<String, Map<String, Integer>> asked = new HashMap<>();
  /** The table's actions on their way to workers; null without a table. */
  private final PartitionCalls calls;
  private List<Placement.Node> nodes = List.of();
  private boolean workersKnown;
  private List<Effect> effects = new ArrayList<>();

  /**
   * The book of service {@code service} (its name, for messages) with the
   * given roles and wanted counts; {@code partitioning} is null if no role is
   * partitioned.
   */
  public MemberBook(String service, List<Role> roles, Map<String, Integer> wanted, Partitioning partitioning) {
    this.service = service;
    roles.forEach(r -> this.roles.put(r.name(), r));
    this.wanted.putAll(wanted);
    this.partitioning = partitioning;
    this.table = partitioning == null ? null : partitioning.table();
    this.calls = table == null ? null : new PartitionCalls(table, this::liveEndpoint);
  }

  // ---- messages -------------------------------------------------------------------------------

  /** Grants a predecessor recorded and this master claimed from Fuxi: held, their workers found as they register. */
  public List<Effect> claim(List<Grant> grants, long now) {
    for (Grant g : grants) {
      members.put(g.getGrantId(), new Member(g, now));
      effects.add(new WatchNode(g.getNodeAddress()));
    }
    return done();
  }

  /** The cluster's live nodes and their racks, for placement limits. */
  public void nodesAre(List<Placement.Node> live) {
    nodes = List.copyOf(live);
  }

  /** Fuxi granted a worker's resources: start a worker on it, or return it if its role cannot use it. */
  public List<Effect> granted(Grant g, long now) {
    String role = g.getUnit();
    Map<String, Integer> roleAsks = asked.getOrDefault(role, Map.of());
    String node = g.getRequestedLevel() == LocalityLevel.LOCALITY_LEVEL_MACHINE ? g.getRequestedTarget() : "";
    if (roleAsks.containsKey(node)) {
      countAsk(role, node, -1);
    }
    Optional<String> refusal = refusal(g);
    if (refusal.isPresent()) {
      effects.add(new ReturnGrant(g, refusal.get()));
    } else {
      members.put(g.getGrantId(), new Member(g, now));
      effects.add(new WatchNode(g.getNodeAddress()));
      effects.add(new Launch(g));
    }
    return done();
  }

  /** Starting a worker on the grant failed: the grant is returned, and asked for again at the next tick. */
  public List<Effect> launchFailed(long grantId, long now) {
    Member m = members.get(grantId);
    if (m != null) {
      returnGrant(m, "launch failed", now);
    }
    return done();
  }

  /** Fuxi took the grant back (node lost, preempted): its worker is forgotten, and replaced at the next tick. */
  public List<Effect> revoked(long grantId, long now) {
    Member m = members.get(grantId);
    if (m != null) {
      forget(m, now);
    }
    return done();
  }

  /** The workers registered when this master started are all known: owners not among them are lost. */
  public List<Effect> workersListed(long now) {
    workersKnown = true;
    if (table != null) {
      for (Partition p : table.partitions()) {
        if (p.owned() && !grantOfWorker.containsKey(p.owner())) {
          table.workerLost(p.owner(), now);
        }
      }
    }
    return tick(now);
  }

  /**
   * A worker registered, or registered again with a new session. A worker on
   * a grant this book does not hold for its role is ignored: its node stops
   * it with the grant.
   */
  public List<Effect> workerRegistered(WorkerRecord r) {
    Member m = members.get(r.getGrantId());
    if (m == null || !m.role().equals(r.getRole())) {
      return done();
    }
    m.worker = r;
    m.lost = false;
    grantOfWorker.put(r.getWorkerId(), r.getGrantId());
    if (partitioned(m)) {
      table.workerBack(r.getWorkerId());
    }
    rebalance();
    return done();
  }

  /**
   * A worker's ZooKeeper session ended. It stops serving by itself; its
   * partitions wait the reassignment delay for it to come back, unless its
   * node says its process ended.
   */
  public List<Effect> workerLost(String workerId, long now) {
    Member m = memberOf(workerId);
    if (m != null) {
      m.lost = true;
      if (partitioned(m)) {
        table.workerLost(workerId, now);
      }
      effects.add(new CheckWorker(m.grant, workerId));
    }
    return done();
  }

  /** The worker process on the grant ended: it cannot come back, so its partitions move now and it is replaced. */
  public List<Effect> processEnded(long grantId, String why, long now) {
    Member m = members.get(grantId);
    if (m != null) {
      if (m.worker != null && partitioned(m)) {
        table.workerGone(m.workerId());
      }
      returnGrant(m, "worker ended (" + why + ")", now);
      rebalance();
    }
    return done();
  }

  /**
   * Periodic: lost workers expire, stuck partition moves are sent again,
   * workers that did not register and drained ones are given up, partitions
   * are rebalanced and roles ask for the workers they lack.
   */
  public List<Effect> tick(long now) {
    if (table != null) {
      for (String w : table.expire(now, partitioning.reassignDelayMs())) {
        Member m = memberOf(w);
        if (m != null) {
          returnGrant(m, "lost for longer than the reassignment delay", now);
        }
      }
      effects.addAll(calls.resend());
    }
    for (Member m : List.copyOf(members.values())) {
      if (m.worker == null && now - m.since > REGISTER_TIMEOUT_MS) {
        returnGrant(m, "did not register within " + REGISTER_TIMEOUT_MS + " ms", now);
      } else if (m.draining && !hasPartitions(m)) {
        returnGrant(m, "scaled in", now);
      }
    }
    rebalance();
    roles.keySet().forEach(this::adjustDemand);
    return done();
  }

  /** An operator set a role's worker count; throws IllegalArgumentException naming what is wrong. */
  public List<Effect> scale(String role, int workers) {
    if (!roles.containsKey(role)) {
      throw new IllegalArgumentException("role '" + role + "' is not a role of " + service + " " + roles.keySet());
    }
    int min = partitioning != null && role.equals(partitioning.role()) ? 1 : 0;
    if (workers < min || workers > ServiceSpecValidator.MAX_WORKERS) {
      throw new IllegalArgumentException("workers must be between " + min + " and " + ServiceSpecValidator.MAX_WORKERS
          + " for role " + role + ", got " + workers);
    }
    wanted.put(role, workers);
    adjustDemand(role);
    rebalance();
    return done();
  }

  // ---- partition commands and the workers' answers --------------------------------------------

  /** Loads an unassigned partition on {@code worker}, or on the least loaded worker if it is "". */
  public List<Effect> loadPartition(String partition, String worker) {
    PartitionTable t = partitioned();
    String to = worker.isEmpty() ? partitionWorkers().stream().min(Comparator.comparingInt(t::load))
        .orElseThrow(() -> new IllegalStateException("no live worker to load it")) : liveWorker(worker);
    effects.addAll(calls.send(t.load(partition, to)));
    return done();
  }

  public List<Effect> unloadPartition(String partition) {
    effects.addAll(calls.send(partitioned().unload(partition)));
    return done();
  }

  public List<Effect> splitPartition(String partition, String at) {
    effects.addAll(calls.send(partitioned().split(partition, at)));
    return done();
  }

  public List<Effect> migratePartition(String partition, String worker) {
    PartitionTable t = partitioned();
    effects.addAll(calls.send(t.migrate(partition, liveWorker(worker))));
    return done();
  }

  /** The worker carried out the action: the table takes the confirmation, and what follows is sent. */
  public List<Effect> moveDone(Action a) {
    effects.addAll(calls.done(a));
    rebalance();
    return done();
  }

  /** The call failed or its answer was lost: the move is sent again at a later tick. */
  public List<Effect> moveFailed(Action a) {
    calls.failed(a);
    return done();
  }

  // ---- what the book holds --------------------------------------------------------------------

  /** Workers wanted per role, in the roles' order. */
  public Map<String, Integer> wanted() {
    return Collections.unmodifiableMap(wanted);
  }

  public Optional<Grant> held(long grantId) {
    return Optional.ofNullable(members.get(grantId)).map(m -> m.grant);
  }

  /** The grants held, draining ones included, in the order they were taken. */
  public List<Grant> held() {
    return members.values().stream().map(m -> m.grant).toList();
  }

  /** The grants of roles being scaled in, returned once their workers own nothing. */
  public List<Grant> draining() {
    return members.values().stream().filter(m -> m.draining).map(m -> m.grant).toList();
  }

  /** Workers asked of Fuxi for the role, per node ("" for anywhere). */
  public Map<String, Integer> asked(String role) {
    return Map.copyOf(asked.getOrDefault(role, Map.of()));
  }

  /** The registered workers, in the order their grants were taken. */
  public List<Worker> workers() {
    return members.values().stream().filter(m -> m.worker != null)
        .map(m -> new Worker(m.worker, m.lost, load(m))).toList();
  }

  // ---- grants ---------------------------------------------------------------------------------

  /** Why the book cannot use a grant it was given, if it cannot. */
  private Optional<String> refusal(Grant g) {
    Role role = roles.get(g.getUnit());
    if (role == null) {
      return Optional.of("not a role of " + service);
    }
    if (holding(role.name()) >= wanted.getOrDefault(role.name(), 0)) {
      return Optional.of(role.name() + " has the workers it wants");
    }
    if (!fits(role, g)) {
      return Optional.of("a worker of " + role.name() + " on " + g.getNodeId() + " would break its placement limits");
    }
    return Optional.empty();
  }

  private boolean fits(Role role, Grant g) {
    if (!role.limited()) {
      return true;
    }
    String rack = nodes.stream().filter(n -> n.id().equals(g.getNodeId())).map(Placement.Node::rack).findFirst()
        .orElse("");
    return Placement.fits(new Placement.Node(g.getNodeId(), rack), nodes, heldPerNode(role.name()), role.maxPerNode(),
        role.maxPerRack());
  }

  private void returnGrant(Member m, String why, long now) {
    effects.add(new ReturnGrant(m.grant, why));
    forget(m, now);
  }

  /**
   * The grant is no longer held. Whatever its worker still has or is getting
   * waits out the delay (its process stops with the grant), then moves.
   */
  private void forget(Member m, long now) {
    members.remove(m.grant.getGrantId());
    if (m.worker != null) {
      grantOfWorker.remove(m.workerId());
      if (hasPartitions(m)) {
        table.workerLost(m.workerId(), now);
      }
    }
    effects.add(new ForgetGrant(m.grant.getGrantId()));
    String address = m.grant.getNodeAddress();
    if (members.values().stream().noneMatch(o -> o.grant.getNodeAddress().equals(address))) {
      effects.add(new UnwatchNode(address));
    }
  }

  private Member memberOf(String workerId) {
    Long grant = grantOfWorker.get(workerId);
    return grant == null ? null : members.get(grant);
  }

  // ---- demand ---------------------------------------------------------------------------------

  private int holding(String role) {
    return (int) keeping(role).count();
  }

  /** The role's members that are not draining. */
  private Stream<Member> keeping(String role) {
    return members.values().stream().filter(m -> m.role().equals(role) && !m.draining);
  }

  private Map<String, Integer> heldPerNode(String role) {
    Map<String, Integer> perNode = new HashMap<>();
    keeping(role).forEach(m -> perNode.merge(m.grant.getNodeId(), 1, Integer::sum));
    return perNode;
  }

  /** Where the role's workers are or are asked for, per node. */
  private Map<String, Integer> plannedPerNode(String role) {
    Map<String, Integer> perNode = heldPerNode(role);
    asked.getOrDefault(role, Map.of()).forEach((node, n) -> {
      if (!node.isEmpty()) {
        perNode.merge(node, n, Integer::sum);
      }
    });
    return perNode;
  }

  /** Asks for the workers a role lacks, withdraws asks it no longer needs, and drains workers it has too many of. */
  private void adjustDemand(String role) {
    Role r = roles.get(role);
    Map<String, Integer> roleAsks = asked.getOrDefault(role, Map.of());
    int askedCount = roleAsks.values().stream().mapToInt(Integer::intValue).sum();
    int missing = wanted.getOrDefault(role, 0) - holding(role) - askedCount;
    if (missing > 0) {
      if (!r.limited()) {
        ask(role, "", missing);
      } else {
        for (String node : Placement.targets(nodes, plannedPerNode(role), r.maxPerNode(), r.maxPerRack(), missing)) {
          ask(role, node, 1);
        }
      }
    } else if (missing < 0) {
      int excess = -missing;
      for (Map.Entry<String, Integer> ask : List.copyOf(roleAsks.entrySet())) {
        int withdrawn = Math.min(excess, ask.getValue());
        ask(role, ask.getKey(), -withdrawn);
        excess -= withdrawn;
      }
      drain(role, excess);
    }
  }

  private void ask(String role, String node, int delta) {
    if (delta != 0) {
      countAsk(role, node, delta);
      effects.add(new Ask(role, node, delta));
    }
  }

  private void countAsk(String role, String node, int delta) {
    Map<String, Integer> roleAsks = asked.computeIfAbsent(role, k -> new HashMap<>());
    if (roleAsks.merge(node, delta, Integer::sum) <= 0) {
      roleAsks.remove(node);
    }
  }

  /** Scales a role in: workers not started yet go first, then those owning the fewest partitions. */
  private void drain(String role, int count) {
    List<Member> candidates = keeping(role)
        .sorted(Comparator.comparingInt((Member m) -> m.worker == null ? -1 : load(m))).toList();
    for (Member m : candidates.subList(0, Math.min(count, candidates.size()))) {
      m.draining = true;
      effects.add(new Drain(m.grant, m.workerId()));
    }
  }

  // ---- partitions -----------------------------------------------------------------------------

  private boolean partitioned(Member m) {
    return partitioning != null && m.role().equals(partitioning.role());
  }

  /** Partitions the member's worker has or is getting. */
  private int load(Member m) {
    return m.worker != null && partitioned(m) ? table.load(m.workerId()) : 0;
  }

  /**
   * Whether the member's worker owns a partition (one it is unloading
   * included, which {@link #load} leaves out) or is getting one.
   */
  private boolean hasPartitions(Member m) {
    return load(m) > 0 || m.worker != null && partitioned(m)
        && table.partitions().stream().anyMatch(p -> p.owner().equals(m.workerId()));
  }

  /** The partitioned role's registered workers that are neither lost nor draining. */
  private List<String> partitionWorkers() {
    return members.values().stream().filter(m -> partitioned(m) && m.worker != null && !m.lost && !m.draining)
        .map(Member::workerId).sorted().toList();
  }

  private PartitionTable partitioned() {
    if (table == null) {
      throw new IllegalArgumentException("service " + service + " has no partitions");
    }
    return table;
  }

  private String liveWorker(String worker) {
    if (!partitionWorkers().contains(worker)) {
      throw new IllegalArgumentException("'" + worker + "' is not a live worker of role " + partitioning.role()
          + " " + partitionWorkers());
    }
    return worker;
  }

  private void rebalance() {
    if (table != null && workersKnown) {
      effects.addAll(calls.send(table.rebalance(partitionWorkers(), partitioning.maxMoves())));
    }
  }

  /** Where a worker serves, if it is registered and not lost: only such a worker is told of moves. */
  private Optional<String> liveEndpoint(String workerId) {
    Member m = memberOf(workerId);
    return m == null || m.worker == null || m.lost ? Optional.empty() : Optional.of(m.worker.getEndpoint());
  }

  private List<Effect> done() {
    List<Effect> out = effects;
    effects = new ArrayList<>();
    return out;
  }
}
