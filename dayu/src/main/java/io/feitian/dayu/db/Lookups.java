package io.feitian.dayu.db;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** Names to ids, shared by the stores: an unknown name is an error naming the caller's field. */
interface Lookups {

  @SqlQuery("SELECT id FROM clusters WHERE name = :name")
  Optional<Long> clusterId(@Bind("name") String name);

  @SqlQuery("SELECT id FROM modules WHERE name = :name")
  Optional<Long> moduleId(@Bind("name") String name);

  @SqlQuery("SELECT id FROM nodes WHERE cluster_id = :clusterId AND host = :host")
  Optional<Long> nodeId(@Bind("clusterId") long clusterId, @Bind("host") String host);

  @SqlQuery("SELECT host FROM nodes WHERE cluster_id = :clusterId")
  List<String> hosts(@Bind("clusterId") long clusterId);

  @SqlQuery("SELECT COUNT(*) FROM module_versions WHERE module_id = :moduleId AND version = :version")
  int versionCount(@Bind("moduleId") long moduleId, @Bind("version") String version);

  default long cluster(String name) {
    Inputs.name("cluster", name, Inputs.CLUSTER);
    return clusterId(name).orElseThrow(() -> Inputs.unknown("cluster", "unknown cluster " + Inputs.quote(name)));
  }

  default long module(String field, String name) {
    Inputs.name(field, name, Inputs.MODULE);
    return moduleId(name).orElseThrow(() -> Inputs.unknown(field, "unknown module " + Inputs.quote(name)
        + " (publish a version of it first)"));
  }

  default long node(String field, long clusterId, String cluster, String host) {
    Inputs.name(field, host, Inputs.HOST);
    return nodeId(clusterId, host).orElseThrow(() -> Inputs.unknown(field, "unknown node " + Inputs.quote(host)
        + " in cluster " + Inputs.quote(cluster)));
  }

  /** Checks that {@code version} of the module was published. */
  default void version(String field, long moduleId, String module, String version) {
    Inputs.name(field, version, Inputs.VERSION);
    if (versionCount(moduleId, version) == 0) {
      throw Inputs.unknown(field, "version " + Inputs.quote(version) + " of module " + Inputs.quote(module)
          + " was not published");
    }
  }
}
