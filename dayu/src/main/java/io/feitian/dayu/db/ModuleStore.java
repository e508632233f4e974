package io.feitian.dayu.db;

import io.feitian.common.files.SafeFiles;
import io.feitian.dayu.p2p.PieceManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
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
  /** The most bytes of a package one row holds (migration V3 checks it too). */
  public static final int CHUNK_BYTES = 1024 * 1024;
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

    @SqlUpdate("INSERT INTO package_chunks (module_id, version, seq, content) VALUES (:moduleId, :version, :seq, "
        + ":content)")
    void insertChunk(@Bind("moduleId") long moduleId, @Bind("version") String version, @Bind("seq") int seq,
        @Bind("content") byte[] content);

    @SqlUpdate("DELETE FROM package_chunks WHERE module_id = :moduleId AND version = :version")
    void deleteChunks(@Bind("moduleId") long moduleId, @Bind("version") String version);

    @SqlQuery("SELECT COUNT(*) FROM package_chunks WHERE module_id = :moduleId AND version = :version")
    int chunkCount(@Bind("moduleId") long moduleId, @Bind("version") String version);

    @SqlUpdate("INSERT INTO package_manifests (module_id, version, piece_bytes, piece_sha256) VALUES (:moduleId, "
        + ":version, :pieceBytes, :pieces)")
    void insertManifest(@Bind("moduleId") long moduleId, @Bind("version") String version,
        @Bind("pieceBytes") int pieceBytes, @Bind("pieces") String pieces);

    @SqlUpdate("DELETE FROM package_manifests WHERE module_id = :moduleId AND version = :version")
    void deleteManifest(@Bind("moduleId") long moduleId, @Bind("version") String version);

    @SqlQuery("SELECT piece_bytes, piece_sha256 FROM package_manifests WHERE module_id = :moduleId "
        + "AND version = :version")
    Optional<Mappers.StoredManifest> manifest(@Bind("moduleId") long moduleId, @Bind("version") String version);

    @SqlQuery("SELECT content FROM package_chunks WHERE module_id = :moduleId AND version = :version "
        + "AND seq BETWEEN :first AND :last ORDER BY seq")
    List<byte[]> chunks(@Bind("moduleId") long moduleId, @Bind("version") String version, @Bind("first") long first,
        @Bind("last") long last);

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
   * Publishes a version of a module (creating the module the first time) with its package, the
   * file {@code content}: the version and the package's bytes, in chunks of {@link #CHUNK_BYTES},
   * are written in one transaction, so a version is never recorded without its bytes. The file
   * must hold {@code sizeBytes} bytes with checksum {@code sha256} (checked as it is stored; a
   * mismatch stores nothing). Publishing the same version again with the same checksum returns
   * the stored version unchanged, without reading {@code content} (unless the version was recorded
   * without its bytes: they are stored then); with another checksum it is refused: a published
   * version never changes.
   */
  public ModuleVersion publish(String module, String version, String sha256, long sizeBytes, String descriptor,
      String publishedBy, Path content) {
    return publish(module, version, sha256, sizeBytes, descriptor, publishedBy, content,
        PieceManifest.DEFAULT_PIECE_BYTES);
  }

  /**
   * As {@link #publish(String, String, String, long, String, String, Path)}, with the package's
   * {@link PieceManifest} in pieces of {@code pieceBytes} stored in the same transaction (built
   * from the bytes as they are stored: the package is read once).
   */
  public ModuleVersion publish(String module, String version, String sha256, long sizeBytes, String descriptor,
      String publishedBy, Path content, int pieceBytes) {
    PieceManifest.checkPieceBytes(pieceBytes);
    return publish(module, version, sha256, sizeBytes, descriptor, publishedBy, Optional.of(content), pieceBytes);
  }

  /**
   * Records a version of a module without its package, for tests of what needs only the catalog:
   * fetching its package answers {@link LostPackageException}. The server always publishes with
   * the package.
   */
  public ModuleVersion publish(String module, String version, String sha256, long sizeBytes, String descriptor,
      String publishedBy) {
    return publish(module, version, sha256, sizeBytes, descriptor, publishedBy, Optional.empty(),
        PieceManifest.DEFAULT_PIECE_BYTES);
  }

  private ModuleVersion publish(String module, String version, String sha256, long sizeBytes, String descriptor,
      String publishedBy, Optional<Path> content, int pieceBytes) {
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
        if (content.isPresent()) {
          long moduleId = h.attach(Lookups.class).moduleId(module).orElseThrow();
          if (sql.chunkCount(moduleId, version) != chunkCount(sizeBytes)) {
            // Recorded without its bytes (before the database kept packages): this brings them.
            sql.deleteChunks(moduleId, version);
            sql.deleteManifest(moduleId, version);
            storeChunks(sql, moduleId, version, content.get(), sha256, sizeBytes, pieceBytes);
          }
        }
        return existing.get();
      }
      Instant now = tx.now();
      Lookups lookups = h.attach(Lookups.class);
      if (lookups.moduleId(module).isEmpty()) {
        sql.insertModule(module, now);
      }
      long moduleId = lookups.moduleId(module).orElseThrow();
      sql.insertVersion(moduleId, version, sha256, sizeBytes, descriptor, now, publishedBy);
      if (content.isPresent()) {
        storeChunks(sql, moduleId, version, content.get(), sha256, sizeBytes, pieceBytes);
      }
      return sql.version(module, version).orElseThrow();
    });
  }

  /** How many chunks a package of {@code sizeBytes} is stored in. */
  private static long chunkCount(long sizeBytes) {
    return (sizeBytes + CHUNK_BYTES - 1) / CHUNK_BYTES;
  }

  /**
   * Writes {@code file} as the version's chunks and its piece manifest, checking its size and
   * checksum as it goes; a mismatch throws, which rolls the whole publication back.
   */
  private static void storeChunks(Sql sql, long moduleId, String version, Path file, String sha256, long sizeBytes,
      int pieceBytes) {
    MessageDigest digest = SafeFiles.sha256();
    PieceManifest.Builder pieces = new PieceManifest.Builder(pieceBytes);
    long stored = 0;
    try (InputStream in = Files.newInputStream(file)) {
      for (int seq = 0; ; seq++) {
        byte[] chunk = in.readNBytes(CHUNK_BYTES);
        if (chunk.length == 0) {
          break;
        }
        stored += chunk.length;
        if (stored > sizeBytes) {
          break; // refused below, before gigabytes more are written
        }
        digest.update(chunk);
        pieces.update(chunk, 0, chunk.length);
        sql.insertChunk(moduleId, version, seq, chunk);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the package " + file + ": " + e.getMessage(), e);
    }
    if (stored != sizeBytes) {
      throw Inputs.bad("size_bytes", "is " + sizeBytes + ", but the package has " + (stored > sizeBytes ? "more"
          : stored) + " bytes");
    }
    String actual = HexFormat.of().formatHex(digest.digest());
    if (!actual.equals(sha256)) {
      throw Inputs.bad("sha256", "is " + sha256 + ", but the package's is " + actual);
    }
    sql.insertManifest(moduleId, version, pieceBytes, pieces.build().joinedPieceSha256());
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

  /**
   * A published version's package, read from the database chunk by chunk as the stream is read
   * (close it when done). A NotFoundException if the version is not published; a
   * {@link LostPackageException}, here or while reading, if its bytes are not all there.
   */
  public InputStream content(String module, String version) {
    ModuleVersion published = published(module, version);
    long moduleId = storedModuleId(published);
    return new PackageContent(tx, moduleId, module, version, published.sizeBytes());
  }

  /** The module's id, once every chunk of {@code published} is known to be there (else LostPackageException). */
  private long storedModuleId(ModuleVersion published) {
    String module = published.module();
    String version = published.version();
    return tx.read(h -> {
      long id = h.attach(Lookups.class).moduleId(module).orElseThrow();
      long expected = chunkCount(published.sizeBytes());
      int chunks = h.attach(Sql.class).chunkCount(id, version);
      if (chunks != expected) {
        throw new LostPackageException("version " + Inputs.quote(version) + " of module " + Inputs.quote(module)
            + " was published with " + published.sizeBytes() + " bytes (" + expected + " chunks), but the database "
            + "holds " + chunks + " chunks of it");
      }
      return id;
    });
  }

  /**
   * The piece manifest of a published version (NotFoundException if it is not, LostPackageException
   * if its bytes are not all there). A version published before manifests were kept (migration V4)
   * gets one now, in pieces of {@link PieceManifest#DEFAULT_PIECE_BYTES}, read from its chunks and
   * stored; two servers doing so at once store one (the loser's insert is retried and reads it).
   */
  public PieceManifest manifest(String module, String version) {
    ModuleVersion published = published(module, version);
    long moduleId = storedModuleId(published);
    Optional<Mappers.StoredManifest> stored = tx.read(h -> h.attach(Sql.class).manifest(moduleId, version));
    if (stored.isEmpty()) {
      PieceManifest.Builder b = new PieceManifest.Builder(PieceManifest.DEFAULT_PIECE_BYTES);
      try (InputStream in = content(module, version)) {
        byte[] buffer = new byte[CHUNK_BYTES];
        for (int n; (n = in.read(buffer)) > 0; ) {
          b.update(buffer, 0, n);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      String pieces = b.build().joinedPieceSha256();
      stored = Optional.of(tx.write(h -> {
        Sql sql = h.attach(Sql.class);
        Optional<Mappers.StoredManifest> again = sql.manifest(moduleId, version);
        if (again.isPresent()) {
          return again.get();
        }
        sql.insertManifest(moduleId, version, PieceManifest.DEFAULT_PIECE_BYTES, pieces);
        return new Mappers.StoredManifest(PieceManifest.DEFAULT_PIECE_BYTES, pieces);
      }));
    }
    return PieceManifest.of(published.sha256(), published.sizeBytes(), stored.get().pieceBytes(),
        stored.get().pieceSha256());
  }

  /**
   * Bytes {@code [offset, offset + length)} of a published version's package, read from the chunks
   * that hold them in one short transaction: a piece for a peer (the caller checks the range
   * against the manifest). LostPackageException when a chunk is missing.
   */
  public byte[] range(String module, String version, long offset, int length) {
    ModuleVersion published = published(module, version);
    if (offset < 0 || length < 0 || offset + length > published.sizeBytes()) {
      throw Inputs.bad("piece", "bytes [" + offset + ", " + (offset + length) + ") are outside the package's "
          + published.sizeBytes());
    }
    long moduleId = storedModuleId(published);
    if (length == 0) {
      return new byte[0];
    }
    long first = offset / CHUNK_BYTES;
    long last = (offset + length - 1) / CHUNK_BYTES;
    List<byte[]> chunks = tx.read(h -> h.attach(Sql.class).chunks(moduleId, version, first, last));
    if (chunks.size() != last - first + 1) {
      throw new LostPackageException("version " + Inputs.quote(version) + " of module " + Inputs.quote(module)
          + " lacks chunks " + first + " to " + last + " in the database");
    }
    byte[] out = new byte[length];
    int filled = 0;
    long at = first * CHUNK_BYTES;
    for (byte[] chunk : chunks) {
      int from = (int) Math.max(0, offset - at);
      int n = Math.min(chunk.length - from, length - filled);
      if (n > 0) {
        System.arraycopy(chunk, from, out, filled, n);
        filled += n;
      }
      at += chunk.length;
    }
    return out;
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
