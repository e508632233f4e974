package io.feitian.dayu.db;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
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

  record BatchHost(int batchNo, String host) {}

  record BatchRow(int batchNo, RolloutBatch.State state, Instant updatedAt) {}

  /** A module and a version of it (a cluster's wanted version). */
  record ModuleAt(String module, String version) {}

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
    jdbi.registerRowMapper(Rollout.class, (rs, ctx) -> new Rollout(rs.getLong("id"), rs.getString("cluster"),
        rs.getString("module"), Rollout.Kind.valueOf(rs.getString("kind")),
        Optional.ofNullable(rs.getString("from_version")), rs.getString("to_version"), rs.getString("strategy"),
        Rollout.State.valueOf(rs.getString("state")), rs.getString("created_by"), instant(rs, "created_at"),
        instant(rs, "updated_at"), rs.getLong("rev"), Optional.ofNullable(rs.getBytes("controller_state"))));
    jdbi.registerRowMapper(BatchHost.class, (rs, ctx) -> new BatchHost(rs.getInt("batch_no"), rs.getString("host")));
    jdbi.registerRowMapper(BatchRow.class, (rs, ctx) -> new BatchRow(rs.getInt("batch_no"),
        RolloutBatch.State.valueOf(rs.getString("state")), instant(rs, "updated_at")));
    jdbi.registerRowMapper(ModuleAt.class, (rs, ctx) -> new ModuleAt(rs.getString("module"), rs.getString("version")));
    jdbi.registerRowMapper(NodeStep.class, (rs, ctx) -> new NodeStep(rs.getLong("rollout_id"), rs.getString("host"),
        rs.getString("step_name"), NodeStep.Status.valueOf(rs.getString("status")), rs.getInt("attempt"),
        rs.getString("message"), instant(rs, "started_at"), instant(rs, "updated_at")));
  }

  static Instant instant(ResultSet rs, String column) throws SQLException {
    return rs.getTimestamp(column).toInstant();
  }

  private static Optional<Instant> optionalInstant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? Optional.empty() : Optional.of(t.toInstant());
  }
}
