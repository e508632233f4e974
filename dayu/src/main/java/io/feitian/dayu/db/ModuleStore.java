package io.feitian.dayu.db;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The catalog of modules and their published versions (shared by all
 * clusters), and the version of each module a cluster should run.
 */
public final class ModuleStore {
  private static final String VERSION_COLUMNS = "SELECT m.name AS module, v.version, v.sha256, v.size_bytes, "
      + "v.descriptor, v.published_at, v.published_by FROM module_versions v JOIN modules m ON m.id = v.module_id ";

  private final Transactions tx;

  ModuleStore(Transactions tx) {
    this.tx = tx;
  }

  interface Sql {
    @SqlUpdate("INSERT INTO modules (name, created_at) VALUES (:name, :at)")
    void insertModule(@Bind("name") String name, @Bind("at") Instant at);

    @SqlUpdate("INSERT INTO module_versions (module_id, version, sha256, size_bytes, descriptor, published_at, "
        + "published_by) VALUES (:moduleId, :version, :sha256, :size, :descriptor, :at, :by)")
    void insertVersion(@Bind("moduleId") long moduleId, @Bind("version") String version,
        @Bind("sha256") String sha256, @Bind("size") long size, @Bind("descriptor") String descriptor,
        @Bind("at") Instant at, @Bind("by") String by);

    @SqlQuery("SELECT name FROM modules ORDER BY name")
    List<String> modules();

    @SqlQuery(VERSION_COLUMNS + "WHERE m.name = :module ORDER BY v.published_at DESC, v.version DESC")
    List<ModuleVersion> versions(@Bind("module") String module);

    @SqlQuery(VERSION_COLUMNS + "WHERE m.name = :module AND v.version = :version")
    Optional<ModuleVersion> version(@Bind("module") String module, @Bind("version") String version);

    @SqlQuery("SELECT m.name AS module, cm.version FROM cluster_modules cm JOIN modules m ON m.id = cm.module_id "
        + "WHERE cm.cluster_id = :clusterId ORDER BY m.name")
    List<Mappers.ModuleAt> clusterVersions(@Bind("clusterId") long clusterId);
  }

  /**
   * Publishes a version of a module (creating the module the first time).
   * Publishing the same version again with the same checksum returns the
   * stored version unchanged; with another checksum it is refused: a
   * published version never changes.
   */
  public ModuleVersion publish(String module, String version, String sha256, long sizeBytes, String descriptor,
      String publishedBy) {
    checkPublication(module, version, sha256, sizeBytes, publishedBy);
    Inputs.text("descriptor", descriptor, 1, Inputs.MAX_DOCUMENT_CHARS);
    return tx.write(h -> {
      Sql sql = h.attach(Sql.class);
      Optional<ModuleVersion> existing = sql.version(module, version);
      if (existing.isPresent()) {
        if (!existing.get().sha256().equals(sha256)) {
          throw Inputs.bad("sha256", "version " + Inputs.quote(version) + " of module " + Inputs.quote(module)
              + " was published with checksum " + existing.get().sha256() + "; a published version never changes");
        }
        return existing.get();
      }
      Instant now = tx.now();
      Lookups lookups = h.attach(Lookups.class);
      if (lookups.moduleId(module).isEmpty()) {
        sql.insertModule(module, now);
      }
      sql.insertVersion(lookups.moduleId(module).orElseThrow(), version, sha256, sizeBytes, descriptor, now,
          publishedBy);
      return sql.version(module, version).orElseThrow();
    });
  }

  /**
   * The checks {@link #publish} makes on everything but the descriptor, for a caller that must
   * refuse before it receives the package (an upload of up to gigabytes).
   */
  public static void checkPublication(String module, String version, String sha256, long sizeBytes,
      String publishedBy) {
    Inputs.name("module", module, Inputs.MODULE);
    Inputs.name("version", version, Inputs.VERSION);
    Inputs.required("sha256", sha256);
    if (!Inputs.SHA256.matcher(sha256).matches()) {
      throw Inputs.bad("sha256", "must be 64 lowercase hexadecimal digits, got " + Inputs.quote(sha256));
    }
    if (sizeBytes < 0) {
      throw Inputs.bad("size_bytes", "must not be negative, got " + sizeBytes);
    }
    Inputs.person("published_by", publishedBy);
  }

  public List<String> modules() {
    return tx.read(h -> h.attach(Sql.class).modules());
  }

  /** A module's versions, the newest publication first. */
  public List<ModuleVersion> versions(String module) {
    return tx.read(h -> h.attach(Sql.class).versions(module));
  }

  public Optional<ModuleVersion> version(String module, String version) {
    return tx.read(h -> h.attach(Sql.class).version(module, version));
  }

  /** A published version; a NotFoundException naming {@code module} or {@code version} if it is not. */
  public ModuleVersion published(String module, String version) {
    return tx.read(h -> {
      h.attach(Lookups.class).module("module", module);
      Inputs.name("version", version, Inputs.VERSION);
      return h.attach(Sql.class).version(module, version).orElseThrow(() -> Inputs.unknown("version",
          "module " + Inputs.quote(module) + " has no version " + Inputs.quote(version)));
    });
  }

  /** The version of each module the cluster should run (set when a rollout succeeds), by module. */
  public Map<String, String> clusterVersions(String cluster) {
    return tx.read(h -> {
      Map<String, String> versions = new TreeMap<>();
      h.attach(Sql.class).clusterVersions(h.attach(Lookups.class).cluster(cluster))
          .forEach(v -> versions.put(v.module(), v.version()));
      return versions;
    });
  }
}
