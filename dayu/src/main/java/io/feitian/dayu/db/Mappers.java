package io.feitian.dayu.db;

import io.feitian.dayu.rollout.Kind;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import org.jdbi.v3.core.Jdbi;

/** Rows to records, by column name: registered once on the Jdbi, used by every store's SQL. */
final class Mappers {
  private Mappers() {}

  /** A node's own columns; its roles come from another query. */
  record NodeRow(String cluster, String host, String rack, Node.State state, Instant addedAt,
      Optional<Instant> registeredAt, Optional<Instant> lastSeenAt) {
    Node node(SortedSet<String> roles) {
      return new Node(cluster, host, rack, state, roles, addedAt, registeredAt, lastSeenAt);
    }
  }

  record HostRole(String host, String role) {}

  /** A revision's own columns; its changes come from another query. */
  record RevisionRow(long revision, String author, String reason, Instant createdAt) {}

  record ChangeRow(long revision, ParamChange change) {}

  /** A module and a version of it (a cluster's wanted version). */
  record ModuleAt(String module, String version) {}

  /** A package's piece manifest as stored (migration V4). */
  record StoredManifest(int pieceBytes, String pieceSha256) {}

  /** A module by id and a version of it ("" for none): a rollout's target, a node's installed module. */
  record ModuleIdAt(long moduleId, String version) {}

  /** A host's installed module. */
  record HostModule(String host, String module, String version) {}

  /** A rollout's own columns; its targets and nodes come from other queries. */
  record RolloutRow(long id, String cluster, Kind kind, String strategy, Rollout.State state, boolean paused,
      String createdBy, Instant createdAt, Instant updatedAt, long rev, byte[] controllerState,
      boolean repairsPending) {
    Rollout rollout(Map<String, String> targets, Set<String> nodes) {
      return new Rollout(id, cluster, kind, targets, nodes, strategy, state, paused, createdBy, createdAt, updatedAt,
          rev, controllerState, repairsPending);
    }
  }

  record RolloutTarget(long rolloutId, String module, String version) {}

  record RolloutHost(long rolloutId, String host) {}

  static void register(Jdbi jdbi) {
    jdbi.registerRowMapper(Cluster.class, (rs, ctx) -> new Cluster(rs.getString("name"),
        rs.getString("description"), instant(rs, "created_at"), rs.getLong("param_revision")));
    jdbi.registerRowMapper(NodeRow.class, (rs, ctx) -> new NodeRow(rs.getString("cluster"), rs.getString("host"),
        rs.getString("rack"), Node.State.valueOf(rs.getString("state")), instant(rs, "added_at"),
        optionalInstant(rs, "registered_at"), optionalInstant(rs, "last_seen_at")));
    jdbi.registerRowMapper(HostRole.class, (rs, ctx) -> new HostRole(rs.getString("host"), rs.getString("role_name")));
    jdbi.registerRowMapper(ModuleVersion.class, (rs, ctx) -> new ModuleVersion(rs.getString("module"),
        rs.getString("version"), rs.getString("sha256"), rs.getLong("size_bytes"), rs.getString("descriptor"),
        instant(rs, "published_at"), rs.getString("published_by")));
    jdbi.registerRowMapper(RevisionRow.class, (rs, ctx) -> new RevisionRow(rs.getLong("revision"),
        rs.getString("author"), rs.getString("reason"), instant(rs, "created_at")));
    jdbi.registerRowMapper(ChangeRow.class, (rs, ctx) -> new ChangeRow(rs.getLong("revision"),
        new ParamChange(rs.getString("module"), ParamScope.valueOf(rs.getString("scope")), rs.getString("target"),
            rs.getString("param_key"), Optional.ofNullable(rs.getString("param_value")))));
    jdbi.registerRowMapper(ParamValue.class, (rs, ctx) -> new ParamValue(rs.getString("module"),
        ParamScope.valueOf(rs.getString("scope")), rs.getString("target"), rs.getString("param_key"),
        rs.getString("param_value"), rs.getLong("revision")));
    jdbi.registerRowMapper(ParamDelta.class, (rs, ctx) -> new ParamDelta(rs.getString("module"),
        ParamScope.valueOf(rs.getString("scope")), rs.getString("target"), rs.getString("param_key"),
        Optional.ofNullable(rs.getString("before_value")), Optional.ofNullable(rs.getString("after_value"))));
    jdbi.registerRowMapper(StoredManifest.class, (rs, ctx) -> new StoredManifest(rs.getInt("piece_bytes"),
        rs.getString("piece_sha256")));
    jdbi.registerRowMapper(ModuleAt.class, (rs, ctx) -> new ModuleAt(rs.getString("module"), rs.getString("version")));
    jdbi.registerRowMapper(ModuleIdAt.class, (rs, ctx) -> new ModuleIdAt(rs.getLong("module_id"),
        rs.getString("version")));
    jdbi.registerRowMapper(HostModule.class, (rs, ctx) -> new HostModule(rs.getString("host"), rs.getString("module"),
        rs.getString("version")));
    jdbi.registerRowMapper(RolloutRow.class, (rs, ctx) -> new RolloutRow(rs.getLong("id"), rs.getString("cluster"),
        Kind.valueOf(rs.getString("kind")), rs.getString("strategy"), Rollout.State.valueOf(rs.getString("state")),
        rs.getBoolean("paused"), rs.getString("created_by"), instant(rs, "created_at"), instant(rs, "updated_at"),
        rs.getLong("rev"), rs.getBytes("controller_state"), rs.getBoolean("repairs_pending")));
    jdbi.registerRowMapper(RolloutTarget.class, (rs, ctx) -> new RolloutTarget(rs.getLong("rollout_id"),
        rs.getString("module"), rs.getString("version")));
    jdbi.registerRowMapper(RolloutHost.class, (rs, ctx) -> new RolloutHost(rs.getLong("rollout_id"),
        rs.getString("host")));
    jdbi.registerRowMapper(NodeTask.class, (rs, ctx) -> new NodeTask(rs.getString("host"), rs.getString("module"),
        rs.getString("purpose"), rs.getString("from_version"), rs.getString("to_version"), rs.getString("state"),
        rs.getInt("phase"), rs.getInt("batch"), rs.getInt("steps_done"), rs.getInt("step_count"),
        rs.getString("detail"), instant(rs, "updated_at")));
  }

  static Instant instant(ResultSet rs, String column) throws SQLException {
    return rs.getTimestamp(column).toInstant();
  }

  private static Optional<Instant> optionalInstant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? Optional.empty() : Optional.of(t.toInstant());
  }
}
