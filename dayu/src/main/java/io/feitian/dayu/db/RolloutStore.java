package io.feitian.dayu.db;

import io.feitian.dayu.rollout.Kind;
import io.feitian.dayu.rollout.Task;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Rollouts, one active per cluster at most, with what they install, the nodes the request named,
 * the rollout core's serialized state and every task, so that a restarted or standby server
 * continues a rollout from here and repairs nodes that were away.
 */
public final class RolloutStore {
  /** Bytes of the rollout core's serialized state. */
  public static final int MAX_CONTROLLER_STATE_BYTES = 1024 * 1024;
  /** Characters of a task's detail (the server clips longer ones). */
  public static final int MAX_DETAIL_CHARS = 4096;

  private static final String ROLLOUT_COLUMNS = "SELECT r.id, c.name AS cluster, r.kind, r.strategy, r.state, "
      + "r.paused, r.created_by, r.created_at, r.updated_at, r.rev, r.controller_state, r.repairs_pending "
      + "FROM rollouts r JOIN clusters c ON c.id = r.cluster_id ";

  // Which rollouts a read selects: conditions on "rollouts r", shared by the query of the rollouts
  // and those of their targets and nodes (see select).
  private static final String BY_ID = "r.id = :id";
  private static final String BY_CLUSTER = "r.cluster_id = :clusterId";
  private static final String ACTIVE_IN_CLUSTER = "r.cluster_id = :clusterId AND r.active = TRUE";
  private static final String UNSETTLED = "r.active = TRUE OR r.repairs_pending = TRUE";

  private final Transactions tx;

  RolloutStore(Transactions tx) {
    this.tx = tx;
  }

  interface Sql {
    @SqlUpdate("INSERT INTO rollouts (cluster_id, kind, strategy, state, paused, active, created_by, created_at, "
        + "updated_at, rev, controller_state, repairs_pending) VALUES (:clusterId, :kind, :strategy, :state, FALSE, "
        + ":active, :createdBy, :at, :at, 1, :controllerState, FALSE)")
    @GetGeneratedKeys("id")
    long insertRollout(@Bind("clusterId") long clusterId, @Bind("kind") Kind kind, @Bind("strategy") String strategy,
        @Bind("state") Rollout.State state, @Bind("active") Boolean active, @Bind("createdBy") String createdBy,
        @Bind("at") Instant at, @Bind("controllerState") byte[] controllerState);

    /** A target of "" removes the module: stored as NULL, so that the reference to a published version holds. */
    @SqlBatch("INSERT INTO rollout_targets (rollout_id, module_id, version) "
        + "VALUES (:id, :moduleId, NULLIF(:version, ''))")
    void insertTargets(@Bind("id") long id, @Bind("moduleId") List<Long> moduleIds,
        @Bind("version") List<String> versions);

    @SqlQuery("SELECT module_id, COALESCE(version, '') AS version FROM rollout_targets WHERE rollout_id = :id")
    List<Mappers.ModuleIdAt> targets(@Bind("id") long id);

    @SqlBatch("INSERT INTO rollout_nodes (rollout_id, host) VALUES (:id, :host)")
    void insertNodes(@Bind("id") long id, @Bind("host") Iterable<String> hosts);

    @SqlUpdate("UPDATE rollouts SET state = :state, paused = :paused, active = :active, "
        + "controller_state = :controllerState, repairs_pending = :repairsPending, updated_at = :at, rev = rev + 1 "
        + "WHERE id = :id AND rev = :expectedRev")
    int update(@Bind("id") long id, @Bind("expectedRev") long expectedRev, @Bind("state") Rollout.State state,
        @Bind("paused") boolean paused, @Bind("active") Boolean active, @Bind("controllerState") byte[] controllerState,
        @Bind("repairsPending") boolean repairsPending, @Bind("at") Instant at);

    /** Updates the tasks that exist (count 1 each, 0 for a new one); updated_at moves only if the row changes. */
    @SqlBatch("UPDATE node_tasks SET updated_at = CASE WHEN from_version = :fromVersion AND to_version = :toVersion "
        + "AND state = :state AND phase = :phase AND batch = :batch AND steps_done = :stepsDone "
        + "AND step_count = :stepCount AND detail = :detail THEN updated_at ELSE :at END, "
        + "from_version = :fromVersion, to_version = :toVersion, state = :state, phase = :phase, batch = :batch, "
        + "steps_done = :stepsDone, step_count = :stepCount, detail = :detail "
        + "WHERE rollout_id = :id AND host = :host AND module = :module AND purpose = :purpose")
    int[] updateTasks(@Bind("id") long id, @BindMethods List<NodeTask> tasks, @Bind("at") Instant at);

    @SqlBatch("INSERT INTO node_tasks (rollout_id, host, module, purpose, from_version, to_version, state, phase, "
        + "batch, steps_done, step_count, detail, updated_at) VALUES (:id, :host, :module, :purpose, :fromVersion, "
        + ":toVersion, :state, :phase, :batch, :stepsDone, :stepCount, :detail, :at)")
    void insertTasks(@Bind("id") long id, @BindMethods List<NodeTask> tasks, @Bind("at") Instant at);

    @SqlQuery("SELECT host, module, purpose, from_version, to_version, state, phase, batch, steps_done, step_count, "
        + "detail, updated_at FROM node_tasks WHERE rollout_id = :id ORDER BY phase, batch, host, module, purpose")
    List<NodeTask> tasks(@Bind("id") long id);

    @SqlQuery("SELECT COUNT(*) FROM rollouts WHERE id = :id")
    int count(@Bind("id") long id);

    @SqlUpdate("UPDATE cluster_modules SET version = :version, updated_at = :at "
        + "WHERE cluster_id = :clusterId AND module_id = :moduleId")
    int updateClusterVersion(@Bind("clusterId") long clusterId, @Bind("moduleId") long moduleId,
        @Bind("version") String version, @Bind("at") Instant at);

    @SqlUpdate("INSERT INTO cluster_modules (cluster_id, module_id, version, updated_at) "
        + "VALUES (:clusterId, :moduleId, :version, :at)")
    void insertClusterVersion(@Bind("clusterId") long clusterId, @Bind("moduleId") long moduleId,
        @Bind("version") String version, @Bind("at") Instant at);

    @SqlUpdate("DELETE FROM cluster_modules WHERE cluster_id = :clusterId AND module_id = :moduleId")
    void deleteClusterVersion(@Bind("clusterId") long clusterId, @Bind("moduleId") long moduleId);

    /** The rollout's nodes whose every task succeeded (a node with no task too); their roles and modules go with them. */
    @SqlUpdate("DELETE FROM nodes WHERE cluster_id = :clusterId AND host IN (SELECT n.host FROM rollout_nodes n "
        + "WHERE n.rollout_id = :id AND NOT EXISTS (SELECT 1 FROM node_tasks t WHERE t.rollout_id = :id "
        + "AND t.host = n.host AND t.state <> 'SUCCEEDED'))")
    int deleteRemovedNodes(@Bind("id") long id, @Bind("clusterId") long clusterId);
  }

  /**
   * Records a new rollout, planned by the server, with its first tasks. Refused with
   * IllegalArgumentException naming the field when the cluster, a target's module or version, or
   * a node is unknown; with IllegalStateException when the cluster has an active rollout. The
   * database holds that rule too, so two servers racing cannot both start one. A rollout created
   * SUCCEEDED (nothing to do) sets the cluster's versions, or removes a scale-in's nodes, at once,
   * as {@link #update} does.
   */
  public Rollout create(NewRollout r) {
    Inputs.required("rollout", r);
    Inputs.required("kind", r.kind());
    checkTargets(r.targets());
    Inputs.required("nodes", r.nodes()).forEach(host -> Inputs.name("nodes", host, Inputs.HOST));
    Inputs.text("strategy", r.strategy(), 1, Inputs.MAX_DOCUMENT_CHARS);
    Inputs.person("created_by", r.createdBy());
    Inputs.required("state", r.state());
    Inputs.bytes("controller_state", r.controllerState(), MAX_CONTROLLER_STATE_BYTES);
    checkTasks(r.tasks());
    return tx.write(h -> {
      Lookups lookups = h.attach(Lookups.class);
      long clusterId = lookups.cluster(r.cluster());
      List<Long> moduleIds = new ArrayList<>();
      List<String> versions = new ArrayList<>();
      r.targets().forEach((module, version) -> {
        String field = "targets[" + module + "]";
        long moduleId = lookups.module(field, module);
        if (!version.isEmpty()) {
          lookups.version(field, moduleId, module, version);
        }
        moduleIds.add(moduleId);
        versions.add(version);
      });
      Set<String> hosts = new HashSet<>(lookups.hosts(clusterId));
      r.nodes().stream().filter(n -> !hosts.contains(n)).findFirst().ifPresent(n -> {
        throw unknownNode("nodes", n, r.cluster());
      });
      checkHosts(r.tasks(), IntStream.range(0, r.tasks().size()).boxed().toList(), hosts, r.cluster());
      refuseIfActive(h, clusterId, r.cluster());
      Sql sql = h.attach(Sql.class);
      Instant now = tx.now();
      long id = sql.insertRollout(clusterId, r.kind(), r.strategy(), r.state(), activeFlag(r.state()), r.createdBy(),
          now, r.controllerState());
      sql.insertTargets(id, moduleIds, versions);
      sql.insertNodes(id, r.nodes());
      sql.insertTasks(id, r.tasks(), now);
      if (r.state() == Rollout.State.SUCCEEDED) {
        setClusterVersions(sql, id, r.kind(), clusterId, now);
        removeScaledInNodes(sql, id, r.kind(), clusterId);
      }
      return only(h, id);
    });
  }

  public Optional<Rollout> rollout(long id) {
    return tx.read(h -> select(h, BY_ID, Map.of("id", id), false).stream().findFirst());
  }

  /** The cluster's rollouts, newest first. */
  public List<Rollout> rollouts(String cluster) {
    return tx.read(h -> select(h, BY_CLUSTER, Map.of("clusterId", h.attach(Lookups.class).cluster(cluster)), true));
  }

  /** The cluster's active rollout (RUNNING or ROLLING_BACK), if any. */
  public Optional<Rollout> active(String cluster) {
    return tx.read(h -> select(h, ACTIVE_IN_CLUSTER, Map.of("clusterId", h.attach(Lookups.class).cluster(cluster)),
        false).stream().findFirst());
  }

  /** Every rollout of every cluster that is active or has repairs pending, oldest first: what a new leader resumes. */
  public List<Rollout> unsettled() {
    return tx.read(h -> select(h, UNSETTLED, Map.of(), false));
  }

  /**
   * Stores what the rollout core decided, if nobody wrote since {@code expectedRev} (else
   * IllegalStateException "another writer changed it", and nothing changes). The state may move as
   * the core moves it ({@link Rollout.State#mayBecome}); SUCCEEDED and ROLLED_BACK never change
   * again, though the controller's state, the pause, the repairs and the tasks still may (nodes
   * that were away are repaired after the end). FAILED or ABORTED may become ROLLING_BACK (the
   * operator's rollback), which takes the cluster's active slot again: refused while another
   * rollout is active. Other refusals of a state are IllegalStateExceptions too.
   *
   * <p>{@code tasks} are upserted by (host, module, purpose); tasks not listed stay as they are. A
   * new task's host must be a node of the cluster. When the rollout becomes SUCCEEDED, each target
   * becomes the version the cluster should run ("" removes the module from it), in the same
   * transaction; a scale-in's targets do not, since it changes nodes, not versions. A scale-in
   * that is SUCCEEDED removes its nodes whose every task succeeded, in the transaction that
   * records it: at once for the nodes it reached, later for a node that was away, with the update
   * that records its repair (until then the node stays, so that its agent can register and be
   * sent its removal). The rollout keeps its record of them (hosts are text there).
   */
  public Rollout update(long id, long expectedRev, Rollout.State state, boolean paused, byte[] controllerState,
      boolean repairsPending, List<NodeTask> tasks) {
    Inputs.required("state", state);
    Inputs.bytes("controller_state", controllerState, MAX_CONTROLLER_STATE_BYTES);
    checkTasks(tasks);
    return tx.write(h -> {
      Rollout current = select(h, BY_ID, Map.of("id", id), false).stream().findFirst()
          .orElseThrow(() -> Inputs.unknown("rollout", "unknown rollout " + id));
      if (current.rev() != expectedRev) {
        throw changedSince(current, expectedRev);
      }
      if (!current.state().mayBecome(state)) {
        throw new IllegalStateException("rollout " + id + " is " + current.state() + " and cannot become " + state
            + (current.state().terminal() ? ": it has ended" : ""));
      }
      long clusterId = h.attach(Lookups.class).cluster(current.cluster());
      if (state.active() && !current.state().active()) {
        refuseIfActive(h, clusterId, current.cluster());
      }
      Sql sql = h.attach(Sql.class);
      Instant now = tx.now();
      if (sql.update(id, expectedRev, state, paused, activeFlag(state), controllerState, repairsPending, now) != 1) {
        throw changedSince(current, expectedRev); // another writer got in between the read and this update
      }
      int[] updated = sql.updateTasks(id, tasks, now);
      List<Integer> added = IntStream.range(0, tasks.size()).filter(i -> updated[i] == 0).boxed().toList();
      if (!added.isEmpty()) {
        checkHosts(tasks, added, new HashSet<>(h.attach(Lookups.class).hosts(clusterId)), current.cluster());
        sql.insertTasks(id, added.stream().map(tasks::get).toList(), now);
      }
      if (state == Rollout.State.SUCCEEDED && current.state() != Rollout.State.SUCCEEDED) {
        setClusterVersions(sql, id, current.kind(), clusterId, now);
      }
      if (state == Rollout.State.SUCCEEDED) {
        removeScaledInNodes(sql, id, current.kind(), clusterId);
      }
      return only(h, id);
    });
  }

  /** The rollout's tasks by phase, batch and host. */
  public List<NodeTask> tasks(long id) {
    return tx.read(h -> {
      Sql sql = h.attach(Sql.class);
      if (sql.count(id) == 0) {
        throw Inputs.unknown("rollout", "unknown rollout " + id);
      }
      return sql.tasks(id);
    });
  }

  /**
   * The rollouts {@code which} selects, with their targets and nodes (one query each, whatever the
   * number of rollouts). The rollouts' targets and nodes never change, so the three reads agree.
   */
  private static List<Rollout> select(Handle h, String which, Map<String, ?> binds, boolean newestFirst) {
    List<Mappers.RolloutRow> rows = h.createQuery(ROLLOUT_COLUMNS + "WHERE " + which + " ORDER BY r.id"
        + (newestFirst ? " DESC" : "")).bindMap(binds).mapTo(Mappers.RolloutRow.class).list();
    if (rows.isEmpty()) {
      return List.of();
    }
    String selected = "(SELECT r.id FROM rollouts r WHERE " + which + ")";
    Map<Long, Map<String, String>> targets = new HashMap<>();
    h.createQuery("SELECT t.rollout_id, m.name AS module, COALESCE(t.version, '') AS version FROM rollout_targets t "
        + "JOIN modules m ON m.id = t.module_id WHERE t.rollout_id IN " + selected).bindMap(binds)
        .mapTo(Mappers.RolloutTarget.class)
        .forEach(t -> targets.computeIfAbsent(t.rolloutId(), k -> new HashMap<>()).put(t.module(), t.version()));
    Map<Long, Set<String>> nodes = new HashMap<>();
    h.createQuery("SELECT n.rollout_id, n.host FROM rollout_nodes n WHERE n.rollout_id IN " + selected)
        .bindMap(binds).mapTo(Mappers.RolloutHost.class)
        .forEach(n -> nodes.computeIfAbsent(n.rolloutId(), k -> new HashSet<>()).add(n.host()));
    return rows.stream().map(r -> r.rollout(targets.getOrDefault(r.id(), Map.of()),
        nodes.getOrDefault(r.id(), Set.of()))).toList();
  }

  private static Rollout only(Handle h, long id) {
    return select(h, BY_ID, Map.of("id", id), false).get(0);
  }

  /** The one-active rule as the store says it; the unique constraint on rollouts.active says it to a racer. */
  private static void refuseIfActive(Handle h, long clusterId, String cluster) {
    select(h, ACTIVE_IN_CLUSTER, Map.of("clusterId", clusterId), false).stream().findFirst().ifPresent(active -> {
      throw new IllegalStateException("cluster " + Inputs.quote(cluster) + " has rollout " + active.id() + " still "
          + active.state() + "; wait for it, abort or roll it back first");
    });
  }

  private static void setClusterVersions(Sql sql, long id, Kind kind, long clusterId, Instant now) {
    if (kind == Kind.SCALE_IN) {
      return;
    }
    for (Mappers.ModuleIdAt t : sql.targets(id)) {
      if (t.version().isEmpty()) {
        sql.deleteClusterVersion(clusterId, t.moduleId());
      } else if (sql.updateClusterVersion(clusterId, t.moduleId(), t.version(), now) == 0) {
        sql.insertClusterVersion(clusterId, t.moduleId(), t.version(), now);
      }
    }
  }

  /**
   * A scale-in that succeeded takes its nodes out of the cluster: deleted like {@link
   * ClusterStore#removeNode}, so that the node list, the cluster information and later plans no
   * longer count them, and a host added again later starts as a new node.
   */
  private static void removeScaledInNodes(Sql sql, long id, Kind kind, long clusterId) {
    if (kind == Kind.SCALE_IN) {
      sql.deleteRemovedNodes(id, clusterId);
    }
  }

  /** TRUE holds the cluster's one active slot; NULL (not FALSE) leaves it, as NULLs are distinct. */
  private static Boolean activeFlag(Rollout.State state) {
    return state.active() ? Boolean.TRUE : null;
  }

  private static IllegalStateException changedSince(Rollout current, long expectedRev) {
    return new IllegalStateException("rollout " + current.id() + " is at rev " + current.rev() + ", not "
        + expectedRev + ": another writer changed it");
  }

  private static NotFoundException unknownNode(String field, String host, String cluster) {
    return Inputs.unknown(field, "unknown node " + Inputs.quote(host) + " in cluster " + Inputs.quote(cluster));
  }

  /** The tasks at {@code indices} are on nodes of the cluster ({@code hosts}). */
  private static void checkHosts(List<NodeTask> tasks, List<Integer> indices, Set<String> hosts, String cluster) {
    for (int i : indices) {
      if (!hosts.contains(tasks.get(i).host())) {
        throw unknownNode("tasks[" + i + "].host", tasks.get(i).host(), cluster);
      }
    }
  }

  private static void checkTargets(Map<String, String> targets) {
    Inputs.required("targets", targets).forEach((module, version) -> {
      Inputs.name("targets", module, Inputs.MODULE);
      Inputs.versionOrNone("targets[" + module + "]", version);
    });
  }

  /** Each task's fields, and each (host, module, purpose) once. */
  private static void checkTasks(List<NodeTask> tasks) {
    Inputs.required("tasks", tasks);
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < tasks.size(); i++) {
      String field = "tasks[" + i + "]";
      NodeTask t = Inputs.required(field, tasks.get(i));
      Inputs.name(field + ".host", t.host(), Inputs.HOST);
      Inputs.name(field + ".module", t.module(), Inputs.MODULE);
      Inputs.oneOf(field + ".purpose", t.purpose(), Task.Purpose.class);
      Inputs.versionOrNone(field + ".from_version", t.fromVersion());
      Inputs.versionOrNone(field + ".to_version", t.toVersion());
      Inputs.oneOf(field + ".state", t.state(), Task.State.class);
      if (t.phase() < 0) {
        throw Inputs.bad(field + ".phase", "must not be negative, got " + t.phase());
      }
      if (t.batch() < -1) {
        throw Inputs.bad(field + ".batch", "must be -1 (away when planned) or more, got " + t.batch());
      }
      if (t.stepsDone() < 0 || t.stepsDone() > t.stepCount()) {
        throw Inputs.bad(field + ".steps_done", "must be between 0 and step_count " + t.stepCount() + ", got "
            + t.stepsDone());
      }
      Inputs.text(field + ".detail", t.detail(), 0, MAX_DETAIL_CHARS);
      if (!keys.add(t.host() + "/" + t.module() + "/" + t.purpose())) {
        throw Inputs.bad(field, "repeats the " + t.purpose() + " task of " + t.module() + " on " + t.host());
      }
    }
  }
}
