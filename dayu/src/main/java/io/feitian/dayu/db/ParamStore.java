package io.feitian.dayu.db;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Parameters per module, role and node, with their history. Every
 * {@link #set} is a new revision of the cluster (1, 2, ...) recording who,
 * when and why; rows are only ever added, so the values at any revision, and
 * the difference between two revisions, are queries.
 */
public final class ParamStore {
  /** Changes one revision may hold. */
  public static final int MAX_CHANGES = 1000;

  /** The same parameter (module, scope, target, key) in another row {@code o} of param_changes. */
  private static final String SAME_KEY = "o.cluster_id = c.cluster_id AND o.module_id = c.module_id "
      + "AND o.scope = c.scope AND o.target = c.target AND o.param_key = c.param_key";
  private static final String VALUE_AT = "(SELECT o.param_value FROM param_changes o WHERE " + SAME_KEY
      + " AND o.revision <= ";
  private static final String NEWEST_FIRST = " ORDER BY o.revision DESC FETCH FIRST 1 ROWS ONLY)";
  /** Passed as a revision: the newest. */
  private static final long NOW = -1;

  private final Transactions tx;

  ParamStore(Transactions tx) {
    this.tx = tx;
  }

  interface Sql {
    @SqlUpdate("UPDATE clusters SET param_revision = param_revision + 1 WHERE id = :clusterId")
    void bumpRevision(@Bind("clusterId") long clusterId);

    @SqlQuery("SELECT param_revision FROM clusters WHERE id = :clusterId")
    long currentRevision(@Bind("clusterId") long clusterId);

    @SqlUpdate("INSERT INTO param_revisions (cluster_id, revision, author, reason, created_at) "
        + "VALUES (:clusterId, :revision, :author, :reason, :at)")
    void insertRevision(@Bind("clusterId") long clusterId, @Bind("revision") long revision,
        @Bind("author") String author, @Bind("reason") String reason, @Bind("at") Instant at);

    @SqlBatch("INSERT INTO param_changes (cluster_id, revision, module_id, scope, target, param_key, param_value) "
        + "VALUES (:clusterId, :revision, :moduleId, :scope, :target, :key, :value)")
    void insertChanges(@Bind("clusterId") long clusterId, @Bind("revision") long revision,
        @Bind("moduleId") List<Long> moduleIds, @Bind("scope") List<ParamScope> scopes,
        @Bind("target") List<String> targets, @Bind("key") List<String> keys, @Bind("value") List<String> values);

    /** The parameters of a module set at a revision: each key's newest change up to it, unless a removal. */
    @SqlQuery("SELECT m.name AS module, c.scope, c.target, c.param_key, c.param_value, c.revision "
        + "FROM param_changes c JOIN modules m ON m.id = c.module_id "
        + "WHERE c.cluster_id = :clusterId AND c.module_id = :moduleId AND c.revision <= :revision "
        + "AND c.param_value IS NOT NULL AND c.revision = (SELECT MAX(o.revision) FROM param_changes o "
        + "WHERE " + SAME_KEY + " AND o.revision <= :revision) ORDER BY c.scope, c.target, c.param_key")
    List<ParamValue> valuesAt(@Bind("clusterId") long clusterId, @Bind("moduleId") long moduleId,
        @Bind("revision") long revision);

    /** Every key changed after the lower revision up to the higher, with its values at both ends. */
    @SqlQuery("SELECT * FROM (SELECT m.name AS module, c.scope, c.target, c.param_key, "
        + VALUE_AT + ":from" + NEWEST_FIRST + " AS before_value, " + VALUE_AT + ":to" + NEWEST_FIRST + " AS after_value "
        + "FROM (SELECT DISTINCT cluster_id, module_id, scope, target, param_key FROM param_changes "
        + "WHERE cluster_id = :clusterId AND revision > :low AND revision <= :high) c "
        + "JOIN modules m ON m.id = c.module_id) d "
        + "WHERE d.before_value IS DISTINCT FROM d.after_value ORDER BY d.module, d.scope, d.target, d.param_key")
    List<ParamDelta> diff(@Bind("clusterId") long clusterId, @Bind("from") long from, @Bind("to") long to,
        @Bind("low") long low, @Bind("high") long high);

    @SqlQuery("SELECT revision, author, reason, created_at FROM param_revisions WHERE cluster_id = :clusterId "
        + "AND (:moduleId < 0 OR revision IN (SELECT revision FROM param_changes "
        + "WHERE cluster_id = :clusterId AND module_id = :moduleId)) ORDER BY revision DESC")
    List<Mappers.RevisionRow> revisions(@Bind("clusterId") long clusterId, @Bind("moduleId") long moduleId);

    @SqlQuery("SELECT c.revision, m.name AS module, c.scope, c.target, c.param_key, c.param_value "
        + "FROM param_changes c JOIN modules m ON m.id = c.module_id WHERE c.cluster_id = :clusterId "
        + "AND (:moduleId < 0 OR c.module_id = :moduleId) ORDER BY c.revision, m.name, c.scope, c.target, c.param_key")
    List<Mappers.ChangeRow> changes(@Bind("clusterId") long clusterId, @Bind("moduleId") long moduleId);
  }

  /**
   * Records a new revision: the changes, who made them and why. Modules must
   * have been published, node targets must be nodes of the cluster; a key may
   * appear once per revision.
   */
  public ParamRevision set(String cluster, String author, String reason, List<ParamChange> changes) {
    Inputs.person("author", author);
    Inputs.text("reason", reason, 1, 4096);
    Inputs.required("changes", changes);
    if (changes.isEmpty() || changes.size() > MAX_CHANGES) {
      throw Inputs.bad("changes", "must hold 1 to " + MAX_CHANGES + " changes, got " + changes.size());
    }
    Set<List<Object>> seen = new HashSet<>();
    for (int i = 0; i < changes.size(); i++) {
      ParamChange c = checkShape("changes[" + i + "]", changes.get(i));
      if (!seen.add(List.of(c.module(), c.scope(), c.target(), c.key()))) {
        throw Inputs.bad("changes[" + i + "]", "changes " + c.scope() + " " + Inputs.quote(c.target()) + " key "
            + Inputs.quote(c.key()) + " of module " + Inputs.quote(c.module()) + " a second time");
      }
    }
    return tx.write(h -> {
      Lookups lookups = h.attach(Lookups.class);
      long clusterId = lookups.cluster(cluster);
      List<Long> moduleIds = new ArrayList<>();
      for (int i = 0; i < changes.size(); i++) {
        ParamChange c = changes.get(i);
        moduleIds.add(lookups.module("changes[" + i + "].module", c.module()));
        if (c.scope() == ParamScope.NODE) {
          lookups.node("changes[" + i + "].target", clusterId, cluster, c.target());
        }
      }
      Sql sql = h.attach(Sql.class);
      sql.bumpRevision(clusterId);
      long revision = sql.currentRevision(clusterId);
      Instant now = tx.now();
      sql.insertRevision(clusterId, revision, author, reason, now);
      sql.insertChanges(clusterId, revision, moduleIds, changes.stream().map(ParamChange::scope).toList(),
          changes.stream().map(ParamChange::target).toList(), changes.stream().map(ParamChange::key).toList(),
          changes.stream().map(c -> c.value().orElse(null)).toList());
      return new ParamRevision(cluster, revision, author, reason, now, List.copyOf(changes));
    });
  }

  /** The cluster's newest revision; 0 before the first {@link #set}. */
  public long currentRevision(String cluster) {
    return tx.read(h -> h.attach(Sql.class).currentRevision(h.attach(Lookups.class).cluster(cluster)));
  }

  /** A module's parameters as they are now. */
  public List<ParamValue> values(String cluster, String module) {
    return tx.read(h -> valuesAt(h, cluster, module, NOW));
  }

  /** A module's parameters as they were at {@code revision}. */
  public List<ParamValue> values(String cluster, String module, long revision) {
    return tx.read(h -> valuesAt(h, cluster, module, revision));
  }

  /**
   * What a node of the module sees now, key by key: the node's own value,
   * else its roles' (when two of its roles set a key, the role first in name
   * order wins), else the module's.
   */
  public SortedMap<String, String> effective(String cluster, String module, String host) {
    return tx.read(h -> {
      long clusterId = h.attach(Lookups.class).cluster(cluster);
      h.attach(Lookups.class).node("host", clusterId, cluster, host);
      Set<String> roles = rolesOf(h, clusterId, host);
      Map<ParamScope, Map<String, String>> byScope = new LinkedHashMap<>();
      List<ParamValue> values = new ArrayList<>(valuesAt(h, cluster, module, NOW));
      values.sort(Comparator.comparing(ParamValue::target).reversed());
      for (ParamValue v : values) {
        boolean applies = switch (v.scope()) {
          case MODULE -> true;
          case ROLE -> roles.contains(v.target());
          case NODE -> v.target().equals(host);
        };
        if (applies) {
          // Reversed target order: among roles, the first in name order is put last and wins.
          byScope.computeIfAbsent(v.scope(), s -> new TreeMap<>()).put(v.key(), v.value());
        }
      }
      SortedMap<String, String> effective = new TreeMap<>();
      for (ParamScope scope : List.of(ParamScope.MODULE, ParamScope.ROLE, ParamScope.NODE)) {
        effective.putAll(byScope.getOrDefault(scope, Map.of()));
      }
      return effective;
    });
  }

  /**
   * The differences between two revisions of the cluster (all modules): each
   * key whose value at {@code from} differs from its value at {@code to}.
   * {@code from} may be the higher one (the changes undone, read backwards).
   */
  public List<ParamDelta> diff(String cluster, long from, long to) {
    return tx.read(h -> {
      long clusterId = h.attach(Lookups.class).cluster(cluster);
      long current = h.attach(Sql.class).currentRevision(clusterId);
      checkRevision("from", from, current);
      checkRevision("to", to, current);
      return h.attach(Sql.class).diff(clusterId, from, to, Math.min(from, to), Math.max(from, to));
    });
  }

  /** The cluster's revisions, newest first, each with its changes. */
  public List<ParamRevision> history(String cluster) {
    return tx.read(h -> history(h, cluster, -1));
  }

  /** The revisions that changed a module's parameters, newest first, with their changes to that module. */
  public List<ParamRevision> history(String cluster, String module) {
    return tx.read(h -> history(h, cluster, h.attach(Lookups.class).module("module", module)));
  }

  private static List<ParamRevision> history(Handle h, String cluster, long moduleId) {
    long clusterId = h.attach(Lookups.class).cluster(cluster);
    Sql sql = h.attach(Sql.class);
    Map<Long, List<ParamChange>> changes = new TreeMap<>();
    for (Mappers.ChangeRow row : sql.changes(clusterId, moduleId)) {
      changes.computeIfAbsent(row.revision(), r -> new ArrayList<>()).add(row.change());
    }
    return sql.revisions(clusterId, moduleId).stream()
        .map(r -> new ParamRevision(cluster, r.revision(), r.author(), r.reason(), r.createdAt(),
            List.copyOf(changes.getOrDefault(r.revision(), List.of()))))
        .toList();
  }

  private static List<ParamValue> valuesAt(Handle h, String cluster, String module, long at) {
    long clusterId = h.attach(Lookups.class).cluster(cluster);
    long moduleId = h.attach(Lookups.class).module("module", module);
    Sql sql = h.attach(Sql.class);
    long current = sql.currentRevision(clusterId);
    long revision = at == NOW ? current : checkRevision("revision", at, current);
    return sql.valuesAt(clusterId, moduleId, revision);
  }

  private static Set<String> rolesOf(Handle h, long clusterId, String host) {
    Set<String> roles = new HashSet<>();
    h.attach(ClusterStore.Sql.class).hostRoles(clusterId).stream().filter(r -> r.host().equals(host))
        .forEach(r -> roles.add(r.role()));
    return roles;
  }

  private static long checkRevision(String field, long revision, long current) {
    if (revision < 0 || revision > current) {
      throw Inputs.bad(field, "must be a revision between 0 and " + current + ", got " + revision);
    }
    return revision;
  }

  private static ParamChange checkShape(String field, ParamChange c) {
    Inputs.required(field, c);
    Inputs.name(field + ".module", c.module(), Inputs.MODULE);
    Inputs.required(field + ".scope", c.scope());
    Inputs.required(field + ".target", c.target());
    switch (c.scope()) {
      case MODULE -> {
        if (!c.target().isEmpty()) {
          throw Inputs.bad(field + ".target", "must be empty for scope MODULE, got " + Inputs.quote(c.target()));
        }
      }
      case ROLE -> Inputs.name(field + ".target", c.target(), Inputs.ROLE);
      case NODE -> Inputs.name(field + ".target", c.target(), Inputs.HOST);
    }
    Inputs.name(field + ".key", c.key(), Inputs.PARAM_KEY);
    Inputs.required(field + ".value", c.value());
    c.value().ifPresent(v -> Inputs.text(field + ".value", v, 0, Inputs.MAX_VALUE_CHARS));
    return c;
  }
}
