package io.feitian.dayu.db;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Clusters, their nodes (host, rack, state, check-ins), the roles of each node and the modules it runs. */
public final class ClusterStore {
  private final Transactions tx;

  ClusterStore(Transactions tx) {
    this.tx = tx;
  }

  interface Sql {
    @SqlUpdate("INSERT INTO clusters (name, description, created_at) VALUES (:name, :description, :at)")
    void insertCluster(@Bind("name") String name, @Bind("description") String description, @Bind("at") Instant at);

    @SqlQuery("SELECT name, description, created_at, param_revision FROM clusters ORDER BY name")
    List<Cluster> clusters();

    @SqlQuery("SELECT name, description, created_at, param_revision FROM clusters WHERE name = :name")
    Optional<Cluster> cluster(@Bind("name") String name);

    @SqlUpdate("INSERT INTO nodes (cluster_id, host, rack, state, added_at) "
        + "VALUES (:clusterId, :host, :rack, 'NEW', :at)")
    void insertNode(@Bind("clusterId") long clusterId, @Bind("host") String host, @Bind("rack") String rack,
        @Bind("at") Instant at);

    @SqlUpdate("DELETE FROM node_roles WHERE node_id = :nodeId")
    void deleteRoles(@Bind("nodeId") long nodeId);

    @SqlUpdate("INSERT INTO node_roles (node_id, role_name) VALUES (:nodeId, :role)")
    void insertRole(@Bind("nodeId") long nodeId, @Bind("role") String role);

    @SqlUpdate("UPDATE nodes SET state = :state WHERE id = :nodeId")
    void setState(@Bind("nodeId") long nodeId, @Bind("state") Node.State state);

    /** A check-in: first registration or later; an OFFLINE or NEW node is ONLINE again, a DRAINING one stays so. */
    @SqlUpdate("UPDATE nodes SET registered_at = COALESCE(registered_at, :at), last_seen_at = :at, "
        + "state = CASE WHEN state = 'DRAINING' THEN state ELSE 'ONLINE' END WHERE id = :nodeId")
    void checkIn(@Bind("nodeId") long nodeId, @Bind("at") Instant at);

    @SqlUpdate("DELETE FROM nodes WHERE id = :nodeId")
    void deleteNode(@Bind("nodeId") long nodeId);

    @SqlQuery("SELECT c.name AS cluster, n.host, n.rack, n.state, n.added_at, n.registered_at, n.last_seen_at "
        + "FROM nodes n JOIN clusters c ON c.id = n.cluster_id WHERE n.cluster_id = :clusterId ORDER BY n.host")
    List<Mappers.NodeRow> nodes(@Bind("clusterId") long clusterId);

    @SqlQuery("SELECT c.name AS cluster, n.host, n.rack, n.state, n.added_at, n.registered_at, n.last_seen_at "
        + "FROM nodes n JOIN clusters c ON c.id = n.cluster_id WHERE n.cluster_id = :clusterId AND n.host IN (<hosts>) "
        + "ORDER BY n.host")
    List<Mappers.NodeRow> nodes(@Bind("clusterId") long clusterId, @BindList("hosts") List<String> hosts);

    @SqlQuery("SELECT module_id, version FROM node_modules WHERE cluster_id = :clusterId AND host = :host")
    List<Mappers.ModuleIdAt> installed(@Bind("clusterId") long clusterId, @Bind("host") String host);

    @SqlUpdate("INSERT INTO node_modules (cluster_id, host, module_id, version, updated_at) "
        + "VALUES (:clusterId, :host, :moduleId, :version, :at)")
    void insertInstalled(@Bind("clusterId") long clusterId, @Bind("host") String host, @Bind("moduleId") long moduleId,
        @Bind("version") String version, @Bind("at") Instant at);

    @SqlUpdate("UPDATE node_modules SET version = :version, updated_at = :at "
        + "WHERE cluster_id = :clusterId AND host = :host AND module_id = :moduleId")
    void updateInstalled(@Bind("clusterId") long clusterId, @Bind("host") String host, @Bind("moduleId") long moduleId,
        @Bind("version") String version, @Bind("at") Instant at);

    @SqlUpdate("DELETE FROM node_modules WHERE cluster_id = :clusterId AND host = :host AND module_id = :moduleId")
    void deleteInstalled(@Bind("clusterId") long clusterId, @Bind("host") String host, @Bind("moduleId") long moduleId);

    @SqlQuery("SELECT n.host, m.name AS module, n.version FROM node_modules n JOIN modules m ON m.id = n.module_id "
        + "WHERE n.cluster_id = :clusterId")
    List<Mappers.HostModule> clusterInstalled(@Bind("clusterId") long clusterId);

    @SqlQuery("SELECT n.host, r.role_name FROM node_roles r JOIN nodes n ON n.id = r.node_id "
        + "WHERE n.cluster_id = :clusterId ORDER BY r.role_name, n.host")
    List<Mappers.HostRole> hostRoles(@Bind("clusterId") long clusterId);

    @SqlQuery("SELECT n.host, r.role_name FROM node_roles r JOIN nodes n ON n.id = r.node_id "
        + "WHERE n.cluster_id = :clusterId AND n.host = :host ORDER BY r.role_name")
    List<Mappers.HostRole> hostRoles(@Bind("clusterId") long clusterId, @Bind("host") String host);
  }

  /** Adds a cluster; its name is unique. */
  public Cluster addCluster(String name, String description) {
    Inputs.name("cluster", name, Inputs.CLUSTER);
    Inputs.text("description", description, 0, 4096);
    return tx.write(h -> {
      Sql sql = h.attach(Sql.class);
      if (sql.cluster(name).isPresent()) {
        throw Inputs.taken("cluster", Inputs.quote(name) + " already exists");
      }
      sql.insertCluster(name, description, tx.now());
      return sql.cluster(name).orElseThrow();
    });
  }

  public List<Cluster> clusters() {
    return tx.read(h -> h.attach(Sql.class).clusters());
  }

  public Optional<Cluster> cluster(String name) {
    return tx.read(h -> h.attach(Sql.class).cluster(name));
  }

  /** Adds a node to a cluster, in state NEW, with its roles; its host is unique in the cluster. */
  public Node addNode(String cluster, String host, String rack, Set<String> roles) {
    Inputs.name("host", host, Inputs.HOST);
    Inputs.name("rack", rack, Inputs.RACK);
    checkRoles(roles);
    return tx.write(h -> {
      long clusterId = h.attach(Lookups.class).cluster(cluster);
      Sql sql = h.attach(Sql.class);
      if (h.attach(Lookups.class).nodeId(clusterId, host).isPresent()) {
        throw Inputs.taken("host", "node " + Inputs.quote(host) + " already exists in cluster " + Inputs.quote(cluster));
      }
      sql.insertNode(clusterId, host, rack, tx.now());
      long nodeId = h.attach(Lookups.class).nodeId(clusterId, host).orElseThrow();
      roles.forEach(role -> sql.insertRole(nodeId, role));
      return node(h, clusterId, host);
    });
  }

  /** Replaces a node's roles, all at once. */
  public Node setRoles(String cluster, String host, Set<String> roles) {
    checkRoles(roles);
    return tx.write(h -> {
      long clusterId = h.attach(Lookups.class).cluster(cluster);
      long nodeId = h.attach(Lookups.class).node("host", clusterId, cluster, host);
      Sql sql = h.attach(Sql.class);
      sql.deleteRoles(nodeId);
      roles.forEach(role -> sql.insertRole(nodeId, role));
      return node(h, clusterId, host);
    });
  }

  public Node setState(String cluster, String host, Node.State state) {
    Inputs.required("state", state);
    return tx.write(h -> {
      long clusterId = h.attach(Lookups.class).cluster(cluster);
      h.attach(Sql.class).setState(h.attach(Lookups.class).node("host", clusterId, cluster, host), state);
      return node(h, clusterId, host);
    });
  }

  /** The node's agent checked in: registered (the first time), seen now, ONLINE unless DRAINING. */
  public Node checkIn(String cluster, String host) {
    return tx.write(h -> {
      long clusterId = h.attach(Lookups.class).cluster(cluster);
      h.attach(Sql.class).checkIn(h.attach(Lookups.class).node("host", clusterId, cluster, host), tx.now());
      return node(h, clusterId, host);
    });
  }

  /**
   * Removes a node, its roles and what it reported as installed. Whether it
   * may go (the last node of a role, draining first) is the scale-in
   * planner's decision; rollouts keep their record of it.
   */
  public void removeNode(String cluster, String host) {
    tx.write(h -> {
      long clusterId = h.attach(Lookups.class).cluster(cluster);
      h.attach(Sql.class).deleteNode(h.attach(Lookups.class).node("host", clusterId, cluster, host));
      return null;
    });
  }

  public List<Node> nodes(String cluster) {
    return tx.read(h -> {
      long clusterId = h.attach(Lookups.class).cluster(cluster);
      return withRoles(h, clusterId, h.attach(Sql.class).nodes(clusterId));
    });
  }

  public Optional<Node> node(String cluster, String host) {
    return tx.read(h -> {
      long clusterId = h.attach(Lookups.class).cluster(cluster);
      return withRoles(h, clusterId, h.attach(Sql.class).nodes(clusterId, List.of(host))).stream().findFirst();
    });
  }

  /**
   * What the node's agent reports as installed, module to version, replacing what it reported
   * before. Every version must be published (else NotFoundException naming
   * {@code versions[MODULE]}). A module still at the version reported before keeps its time.
   */
  public void reportModules(String cluster, String host, Map<String, String> installed) {
    Inputs.required("versions", installed).forEach((module, version) -> {
      Inputs.name("versions", module, Inputs.MODULE);
      Inputs.name("versions[" + module + "]", version, Inputs.VERSION);
    });
    tx.write(h -> {
      Lookups lookups = h.attach(Lookups.class);
      long clusterId = lookups.cluster(cluster);
      lookups.node("host", clusterId, cluster, host);
      Map<Long, String> reported = new HashMap<>();
      installed.forEach((module, version) -> {
        String field = "versions[" + module + "]";
        long moduleId = lookups.module(field, module);
        lookups.version(field, moduleId, module, version);
        reported.put(moduleId, version);
      });
      Sql sql = h.attach(Sql.class);
      Instant now = tx.now();
      Map<Long, String> before = new HashMap<>();
      sql.installed(clusterId, host).forEach(m -> before.put(m.moduleId(), m.version()));
      before.keySet().stream().filter(m -> !reported.containsKey(m))
          .forEach(m -> sql.deleteInstalled(clusterId, host, m));
      reported.forEach((moduleId, version) -> {
        String was = before.get(moduleId);
        if (was == null) {
          sql.insertInstalled(clusterId, host, moduleId, version, now);
        } else if (!was.equals(version)) {
          sql.updateInstalled(clusterId, host, moduleId, version, now);
        }
      });
      return null;
    });
  }

  /** What the cluster's nodes reported as installed: host to module to version; a node that reported none is absent. */
  public Map<String, Map<String, String>> nodeModules(String cluster) {
    return tx.read(h -> {
      Map<String, Map<String, String>> byHost = new TreeMap<>();
      h.attach(Sql.class).clusterInstalled(h.attach(Lookups.class).cluster(cluster)).forEach(m ->
          byHost.computeIfAbsent(m.host(), k -> new TreeMap<>()).put(m.module(), m.version()));
      return byHost;
    });
  }

  /** The cluster's roles, by name, each with its hosts. */
  public List<Role> roles(String cluster) {
    return tx.read(h -> {
      long clusterId = h.attach(Lookups.class).cluster(cluster);
      Map<String, List<String>> hosts = new TreeMap<>();
      for (Mappers.HostRole e : h.attach(Sql.class).hostRoles(clusterId)) {
        hosts.computeIfAbsent(e.role(), r -> new ArrayList<>()).add(e.host());
      }
      return hosts.entrySet().stream().map(e -> new Role(cluster, e.getKey(), List.copyOf(e.getValue()))).toList();
    });
  }

  private static Node node(Handle h, long clusterId, String host) {
    return withRoles(h, clusterId, h.attach(Sql.class).nodes(clusterId, List.of(host))).get(0);
  }

  /** The nodes of {@code rows} with their roles: of one node only when there is one (a lookup costs O(its roles), not O(the cluster)). */
  private static List<Node> withRoles(Handle h, long clusterId, List<Mappers.NodeRow> rows) {
    Map<String, SortedSet<String>> roles = new TreeMap<>();
    Sql sql = h.attach(Sql.class);
    List<Mappers.HostRole> hostRoles = rows.size() == 1 ? sql.hostRoles(clusterId, rows.get(0).host())
        : sql.hostRoles(clusterId);
    for (Mappers.HostRole e : hostRoles) {
      roles.computeIfAbsent(e.host(), k -> new TreeSet<>()).add(e.role());
    }
    return rows.stream().map(r -> r.node(Collections.unmodifiableSortedSet(
        roles.getOrDefault(r.host(), new TreeSet<>())))).toList();
  }

  private static void checkRoles(Set<String> roles) {
    Inputs.required("roles", roles);
    roles.forEach(role -> Inputs.name("roles", role, Inputs.ROLE));
  }
}
