package io.feitian.dayu.db;

import java.io.InputStream;
import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * A published package's bytes, read from the database one chunk (at most 1 MiB) at a time, each
 * chunk in its own short transaction: a slow reader holds one chunk in memory and no connection
 * between reads. A published version never changes, so the chunks read apart still make one
 * package. Not thread-safe.
 */
final class PackageContent extends InputStream {
  private final Transactions tx;
  private final long moduleId;
  private final String module;
  private final String version;
  private final long size;
  private byte[] chunk = new byte[0];
  private int pos;
  private int nextSeq;
  private long delivered;

  interface Sql {
    @SqlQuery("SELECT content FROM package_chunks WHERE module_id = :moduleId AND version = :version AND seq = :seq")
    Optional<byte[]> chunk(@Bind("moduleId") long moduleId, @Bind("version") String version, @Bind("seq") int seq);
  }

  PackageContent(Transactions tx, long moduleId, String module, String version, long size) {
    this.tx = tx;
    this.moduleId = moduleId;
    this.module = module;
    this.version = version;
    this.size = size;
  }

  @Override
  public int read() {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (len == 0) {
      return 0;
    }
    if (pos == chunk.length && !nextChunk()) {
      return -1;
    }
    int n = Math.min(len, chunk.length - pos);
    System.arraycopy(chunk, pos, b, off, n);
    pos += n;
    return n;
  }

  /** Reads the next chunk; false at the end of the package. */
  private boolean nextChunk() {
    if (delivered == size) {
      return false;
    }
    int seq = nextSeq;
    chunk = tx.read(h -> h.attach(Sql.class).chunk(moduleId, version, seq)).orElseThrow(() -> lost(
        "its chunk " + seq + " is missing"));
    pos = 0;
    nextSeq++;
    delivered += chunk.length;
    if (delivered > size) {
      throw lost("its chunks hold more bytes");
    }
    return true;
  }

  private LostPackageException lost(String what) {
    return new LostPackageException("version " + Inputs.quote(version) + " of module " + Inputs.quote(module)
        + " was published with " + size + " bytes, but " + what + " in the database");
  }
}
