package io.feitian.dayu.db;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Rollouts, their batches, and the status of every step of every node's task,
 * so that a restarted or standby server continues a rollout from here and a
 * node that was offline is brought up to date when it returns.
 */
public final class RolloutStore {
  /** Characters of a step's message. */
  public static final int MAX_MESSAGE_CHARS = 4096;

  private static final String ROLLOUT_COLUMNS = "SELECT r.id, c.name AS cluster, m.name AS module, r.kind, "
      + "r.from_version, r.to_version, r.strategy, r.state, r.created_by, r.created_at, r.updated_at, r.rev, "
      + "r.controller_state FROM rollouts r JOIN clusters c ON c.id = r.cluster_id JOIN modules m ON m.id = r.module_id ";
  private static final String STEP_COLUMNS = "SELECT rollout_id, host, step_name, status, attempt, message, "
      + "started_at, updated_at FROM node_steps ";
  private static final String FINISHED_STEP = "('SUCCEEDED', 'FAILED', 'SKIPPED')";

  private final Transactions tx;

  RolloutStore(Transactions tx) {
    this.tx = tx;
  }

  interface Sql {
    @SqlUpdate("INSERT INTO rollouts (cluster_id, module_id, kind, from_version, to_version, strategy, state, "
        + "active, created_by, created_at, updated_at, rev) VALUES (:clusterId, :moduleId, :kind, :fromVersion, "
        + ":toVersion, :strategy, 'PENDING', TRUE, :createdBy, :at, :at, 1)")
    @GetGeneratedKeys("id")
    long insertRollout(@Bind("clusterId") long clusterId, @Bind("moduleId") long moduleId,
        @Bind("kind") Rollout.Kind kind, @Bind("fromVersion") Optional<String> fromVersion,
        @Bind("toVersion") String toVersion, @Bind("strategy") String strategy,
        @Bind("createdBy") String createdBy, @Bind("at") Instant at);

    @SqlBatch("INSERT INTO rollout_batches (rollout_id, batch_no, state, updated_at) "
        + "VALUES (:rolloutId, :batchNo, 'PENDING', :at)")
    void insertBatches(@Bind("rolloutId") long rolloutId, @Bind("batchNo") List<Integer> batchNos,
        @Bind("at") Instant at);

    @SqlBatch("INSERT INTO batch_nodes (rollout_id, batch_no, host) VALUES (:rolloutId, :batchNo, :host)")
    void insertBatchNodes(@Bind("rolloutId") long rolloutId, @Bind("batchNo") List<Integer> batchNos,
        @Bind("host") List<String> hosts);

    @SqlQuery(ROLLOUT_COLUMNS + "WHERE r.id = :id")
    Optional<Rollout> rollout(@Bind("id") long id);

    @SqlQuery(ROLLOUT_COLUMNS + "WHERE r.cluster_id = :clusterId AND r.module_id = :moduleId AND r.active = TRUE")
    Optional<Rollout> active(@Bind("clusterId") long clusterId, @Bind("moduleId") long moduleId);

    @SqlQuery(ROLLOUT_COLUMNS + "WHERE r.cluster_id = :clusterId AND r.active = TRUE ORDER BY r.id")
    List<Rollout> active(@Bind("clusterId") long clusterId);

    @SqlQuery(ROLLOUT_COLUMNS + "WHERE r.cluster_id = :clusterId ORDER BY r.id DESC")
    List<Rollout> rollouts(@Bind("clusterId") long clusterId);

    @SqlUpdate("UPDATE rollouts SET state = :state, active = :active, controller_state = :controllerState, "
        + "updated_at = :at, rev = rev + 1 WHERE id = :id AND rev = :expectedRev")
    int update(@Bind("id") long id, @Bind("expectedRev") long expectedRev, @Bind("state") Rollout.State state,
        @Bind("active") Boolean active, @Bind("controllerState") byte[] controllerState, @Bind("at") Instant at);

    @SqlUpdate("UPDATE cluster_modules SET version = :version, updated_at = :at "
        + "WHERE cluster_id = (SELECT cluster_id FROM rollouts WHERE id = :rolloutId) "
        + "AND module_id = (SELECT module_id FROM rollouts WHERE id = :rolloutId)")
    int updateClusterVersion(@Bind("rolloutId") long rolloutId, @Bind("version") String version,
        @Bind("at") Instant at);

    @SqlUpdate("INSERT INTO cluster_modules (cluster_id, module_id, version, updated_at) "
        + "SELECT cluster_id, module_id, :version, :at FROM rollouts WHERE id = :rolloutId")
    void insertClusterVersion(@Bind("rolloutId") long rolloutId, @Bind("version") String version,
        @Bind("at") Instant at);

    @SqlQuery("SELECT batch_no, state, updated_at FROM rollout_batches WHERE rollout_id = :id ORDER BY batch_no")
    List<Mappers.BatchRow> batches(@Bind("id") long id);

    @SqlQuery("SELECT batch_no, host FROM batch_nodes WHERE rollout_id = :id ORDER BY batch_no, host")
    List<Mappers.BatchHost> batchHosts(@Bind("id") long id);

    @SqlUpdate("UPDATE rollout_batches SET state = :state, updated_at = :at WHERE rollout_id = :id AND batch_no = :no")
    int setBatchState(@Bind("id") long id, @Bind("no") int batchNo, @Bind("state") RolloutBatch.State state,
        @Bind("at") Instant at);

    @SqlQuery("SELECT COUNT(*) FROM batch_nodes WHERE rollout_id = :id AND host = :host")
    int inRollout(@Bind("id") long id, @Bind("host") String host);

    /** A report applies when it is of a newer attempt, or of the same attempt while the step is unfinished. */
    @SqlUpdate("UPDATE node_steps SET status = :status, attempt = :attempt, message = :message, updated_at = :at "
        + "WHERE rollout_id = :id AND host = :host AND step_name = :step "
        + "AND (attempt < :attempt OR (attempt = :attempt AND status NOT IN " + FINISHED_STEP + "))")
    int updateStep(@Bind("id") long id, @Bind("host") String host, @Bind("step") String step,
        @Bind("status") NodeStep.Status status, @Bind("attempt") int attempt, @Bind("message") String message,
        @Bind("at") Instant at);

    @SqlUpdate("INSERT INTO node_steps (rollout_id, host, step_name, status, attempt, message, started_at, updated_at) "
        + "VALUES (:id, :host, :step, :status, :attempt, :message, :at, :at)")
    void insertStep(@Bind("id") long id, @Bind("host") String host, @Bind("step") String step,
        @Bind("status") NodeStep.Status status, @Bind("attempt") int attempt, @Bind("message") String message,
        @Bind("at") Instant at);

    @SqlQuery(STEP_COLUMNS + "WHERE rollout_id = :id AND host = :host AND step_name = :step")
    Optional<NodeStep> step(@Bind("id") long id, @Bind("host") String host, @Bind("step") String step);

    @SqlQuery(STEP_COLUMNS + "WHERE rollout_id = :id ORDER BY host, started_at, step_name")
    List<NodeStep> steps(@Bind("id") long id);
  }

  /**
   * Records a new rollout, PENDING, with its batches. Refused when the
   * module already has an unfinished rollout in the cluster; the database
   * holds that rule too, so two servers racing cannot both start one.
   */
  public Rollout create(NewRollout r) {
    Inputs.required("rollout", r);
    Inputs.name("module", r.module(), Inputs.MODULE);
    Inputs.required("kind", r.kind());
    Inputs.required("from_version", r.fromVersion());
    Inputs.text("strategy", r.strategy(), 1, Inputs.MAX_DOCUMENT_CHARS);
    Inputs.person("created_by", r.createdBy());
    List<Integer> batchNos = new ArrayList<>();
    List<String> hosts = new ArrayList<>();
    flattenBatches(r.batches(), batchNos, hosts);
    return tx.write(h -> {
      Lookups lookups = h.attach(Lookups.class);
      long clusterId = lookups.cluster(r.cluster());
      long moduleId = lookups.module("module", r.module());
      lookups.version("to_version", moduleId, r.module(), r.toVersion());
      r.fromVersion().ifPresent(v -> lookups.version("from_version", moduleId, r.module(), v));
      Set<String> nodes = new HashSet<>();
      h.attach(ClusterStore.Sql.class).nodes(clusterId).forEach(n -> nodes.add(n.host()));
      for (int i = 0; i < hosts.size(); i++) {
        if (!nodes.contains(hosts.get(i))) {
          throw Inputs.bad("batches[" + batchNos.get(i) + "]", "names " + Inputs.quote(hosts.get(i))
              + ", which is not a node of cluster " + Inputs.quote(r.cluster()));
        }
      }
      Sql sql = h.attach(Sql.class);
      Optional<Rollout> active = sql.active(clusterId, moduleId);
      if (active.isPresent()) {
        throw Inputs.bad("module", "rollout " + active.get().id() + " of module " + Inputs.quote(r.module())
            + " in cluster " + Inputs.quote(r.cluster()) + " is still " + active.get().state()
            + "; finish, abort or roll it back first");
      }
      Instant now = tx.now();
      long id = sql.insertRollout(clusterId, moduleId, r.kind(), r.fromVersion(), r.toVersion(), r.strategy(),
          r.createdBy(), now);
      sql.insertBatches(id, IntStream.range(0, r.batches().size()).boxed().toList(), now);
      sql.insertBatchNodes(id, batchNos, hosts);
      return sql.rollout(id).orElseThrow();
    });
  }

  public Optional<Rollout> rollout(long id) {
    return tx.read(h -> h.attach(Sql.class).rollout(id));
  }

  /** The cluster's rollouts, newest first. */
  public List<Rollout> rollouts(String cluster) {
    return tx.read(h -> h.attach(Sql.class).rollouts(h.attach(Lookups.class).cluster(cluster)));
  }

  /** The cluster's unfinished rollouts (at most one per module), oldest first: what a new leader resumes. */
  public List<Rollout> active(String cluster) {
    return tx.read(h -> h.attach(Sql.class).active(h.attach(Lookups.class).cluster(cluster)));
  }

  /**
   * Moves a rollout to {@code state} and stores the controller's state, if
   * nobody wrote since {@code expectedRev} (else IllegalStateException, and
   * nothing changes). A finished rollout does not change. A rollout that
   * SUCCEEDED makes its version the one the cluster should run, in the same
   * transaction.
   */
  public Rollout update(long id, long expectedRev, Rollout.State state, byte[] controllerState) {
    Inputs.required("state", state);
    return tx.write(h -> {
      Sql sql = h.attach(Sql.class);
      Rollout current = existing(sql, id);
      if (current.state().finished()) {
        throw Inputs.bad("state", "rollout " + id + " is " + current.state() + "; a finished rollout does not change");
      }
      Instant now = tx.now();
      if (sql.update(id, expectedRev, state, state.finished() ? null : Boolean.TRUE, controllerState, now) != 1) {
        throw new IllegalStateException("rollout " + id + " is at rev " + current.rev() + ", not " + expectedRev
            + ": another writer changed it");
      }
      if (state == Rollout.State.SUCCEEDED && sql.updateClusterVersion(id, current.toVersion(), now) == 0) {
        sql.insertClusterVersion(id, current.toVersion(), now);
      }
      return sql.rollout(id).orElseThrow();
    });
  }

  public List<RolloutBatch> batches(long id) {
    return tx.read(h -> batches(h, id));
  }

  public RolloutBatch setBatchState(long id, int batchNo, RolloutBatch.State state) {
    Inputs.required("state", state);
    return tx.write(h -> {
      Sql sql = h.attach(Sql.class);
      existing(sql, id);
      if (sql.setBatchState(id, batchNo, state, tx.now()) != 1) {
        throw Inputs.bad("batch", "rollout " + id + " has no batch " + batchNo);
      }
      return batches(h, id).get(batchNo);
    });
  }

  /**
   * Records what a node's agent reports about a step; idempotent: a step is
   * one row, and a report applies only if it is of a newer attempt, or of the
   * same attempt while the step is unfinished. So a repeated or late report
   * (a retried RPC, an agent that resumes) changes nothing. Returns the
   * step as stored.
   */
  public NodeStep reportStep(long id, String host, String step, NodeStep.Status status, int attempt,
      String message) {
    Inputs.name("host", host, Inputs.HOST);
    Inputs.name("step", step, Inputs.STEP);
    Inputs.required("status", status);
    if (attempt < 1) {
      throw Inputs.bad("attempt", "must be at least 1, got " + attempt);
    }
    Inputs.text("message", message, 0, MAX_MESSAGE_CHARS);
    return tx.write(h -> {
      Sql sql = h.attach(Sql.class);
      existing(sql, id);
      if (sql.inRollout(id, host) == 0) {
        throw Inputs.bad("host", "node " + Inputs.quote(host) + " is not in rollout " + id);
      }
      Instant now = tx.now();
      if (sql.updateStep(id, host, step, status, attempt, message, now) == 0 && sql.step(id, host, step).isEmpty()) {
        sql.insertStep(id, host, step, status, attempt, message, now);
      }
      return sql.step(id, host, step).orElseThrow();
    });
  }

  /** Every step of every node of the rollout, by host, in the order they started. */
  public List<NodeStep> steps(long id) {
    return tx.read(h -> h.attach(Sql.class).steps(id));
  }

  private static Rollout existing(Sql sql, long id) {
    return sql.rollout(id).orElseThrow(() -> Inputs.bad("rollout", "unknown rollout " + id));
  }

  private static List<RolloutBatch> batches(Handle h, long id) {
    Sql sql = h.attach(Sql.class);
    Map<Integer, List<String>> hosts = new TreeMap<>();
    sql.batchHosts(id).forEach(b -> hosts.computeIfAbsent(b.batchNo(), n -> new ArrayList<>()).add(b.host()));
    return sql.batches(id).stream().map(b -> new RolloutBatch(id, b.batchNo(), b.state(),
        List.copyOf(hosts.getOrDefault(b.batchNo(), List.of())), b.updatedAt())).toList();
  }

  /** Checks the batches' shape (each non-empty, every host once) and lists (batch, host) pairs. */
  private static void flattenBatches(List<List<String>> batches, List<Integer> batchNos, List<String> hosts) {
    Inputs.required("batches", batches);
    if (batches.isEmpty()) {
      throw Inputs.bad("batches", "must hold at least one batch");
    }
    Set<String> seen = new HashSet<>();
    for (int b = 0; b < batches.size(); b++) {
      String field = "batches[" + b + "]";
      List<String> batch = Inputs.required(field, batches.get(b));
      if (batch.isEmpty()) {
        throw Inputs.bad(field, "must name at least one node");
      }
      for (String host : batch) {
        Inputs.name(field, host, Inputs.HOST);
        if (!seen.add(host)) {
          throw Inputs.bad(field, "names " + Inputs.quote(host) + ", which an earlier batch already holds");
        }
        batchNos.add(b);
        hosts.add(host);
      }
    }
  }
}
