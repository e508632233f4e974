package io.feitian.examples.kv;

import io.feitian.service.client.ServiceKeys;
import io.feitian.service.partition.KeyRange;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition's keys and values: an append-only log at
 * {@code <data dir>/<partition id>/data.log} and a map of it in memory,
 * rebuilt from the log on open.
 *
 * <p>A record is {@code [int keyLength][key][int valueLength][value][int crc]}:
 * big-endian ints, UTF-8 strings, and the CRC32C of the record's preceding
 * bytes. A later record of a key replaces the earlier. A process killed
 * while appending leaves a torn record at the end; that put was never
 * acknowledged, so opening the store drops the bad tail (and everything
 * after the first record that does not check out) and truncates the file
 * there, so new records follow good ones.
 *
 * <p>{@link #put} is durable when it returns: the record is in the file
 * (written straight to the OS, no buffer of ours), and on disk too when the
 * store was opened with {@code fsync}. Puts are serialized; gets read the
 * map and never wait.
 */
final class PartitionStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PartitionStore.class);
  static final String LOG_FILE = "data.log";
  private static final String TEMP_FILE = "data.log.tmp";
  /** Partition ids name directories: nothing that could climb out of the data directory. */
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final int INT = Integer.BYTES;

  private final Path file;
  private final boolean fsync;
  private final Map<String, String> map;
  /** Guarded by this. */
  private final FileChannel channel;
  /** Bytes of good records in the file, where the next one goes. Guarded by this. */
  private long size;
  /** Why puts are refused: a failed append could not be taken back. Guarded by this. */
  private String broken = "";
  private boolean closed;

  private PartitionStore(Path file, boolean fsync, Map<String, String> map, FileChannel channel, long size) {
    this.file = file;
    this.fsync = fsync;
    this.map = map;
    this.channel = channel;
    this.size = size;
  }

  /** The log of a partition's store. */
  static Path file(Path dataDir, String partitionId) {
    return directory(dataDir, partitionId).resolve(LOG_FILE);
  }

  private static Path directory(Path dataDir, String partitionId) {
    if (!SAFE_ID.matcher(partitionId).matches()) {
      throw new IllegalArgumentException("partition id '" + partitionId + "' cannot name a directory");
    }
    return dataDir.resolve(partitionId);
  }

  /** Opens (creating if need be) a partition's store, dropping a torn tail of its log. */
  static PartitionStore open(Path dataDir, String partitionId, boolean fsync) throws IOException {
    Path file = file(dataDir, partitionId);
    Files.createDirectories(file.getParent());
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    try {
      Map<String, String> map = new ConcurrentHashMap<>();
      long length = channel.size();
      long good = replay(file, length, map);
      if (good < length) {
        log.warn("{}: dropping {} bytes after the last good record at offset {} (a write that was never acknowledged)",
            file, length - good, good);
        channel.truncate(good);
        channel.force(true);
      }
      return new PartitionStore(file, fsync, map, channel, good);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** The current keys and values of a partition's log on disk, without opening it for writing. */
  static Map<String, String> read(Path dataDir, String partitionId) throws IOException {
    Path file = file(dataDir, partitionId);
    Map<String, String> map = new ConcurrentHashMap<>();
    if (Files.exists(file)) {
      replay(file, Files.size(file), map);
    }
    return map;
  }

  /**
   * Writes the store of partition {@code partitionId} holding the entries
   * whose hashed key is in {@code range}, one record per key: into a temp
   * file beside its log, forced to disk, then renamed over the log, so a
   * crash leaves either the old log (or none) or the whole new one. An
   * earlier attempt's files are replaced. Returns how many keys it holds.
   */
  static int writeCompacted(Path dataDir, String partitionId, KeyRange range, Map<String, String> entries)
      throws IOException {
    Path dir = directory(dataDir, partitionId);
    Files.createDirectories(dir);
    Path temp = dir.resolve(TEMP_FILE);
    int keys = 0;
    try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      long at = 0;
      for (Map.Entry<String, String> e : entries.entrySet()) {
        if (range.contains(ServiceKeys.hash(e.getKey()))) {
          at = writeFully(out, record(e.getKey(), e.getValue()), at);
          keys++;
        }
      }
      out.force(true);
    }
    Files.move(temp, dir.resolve(LOG_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    forceDirectory(dir);
    return keys;
  }

  String get(String key) {
    return map.get(key);
  }

  /** A copy of the keys and values. */
  Map<String, String> snapshot() {
    return Map.copyOf(map);
  }

  /** Appends the record and then makes it visible; durable when it returns. */
  void put(String key, String value) throws IOException {
    ByteBuffer record = record(key, value);
    synchronized (this) {
      if (closed) {
        throw new IOException(file + " is closed (its partition was unloaded)");
      }
      if (!broken.isEmpty()) {
        throw new IOException(file + " refuses writes: " + broken);
      }
      try {
        writeFully(channel, record, size);
        if (fsync) {
          channel.force(false);
        }
      } catch (IOException e) {
        // A partial record left in place would hide every later record from the next open.
        try {
          channel.truncate(size);
        } catch (IOException again) {
          broken = "a failed append could not be taken back: " + again;
        }
        throw e;
      }
      size += record.limit();
      map.put(key, value); // under the lock: the map holds the value the log ends with
    }
  }

  /** Why this store cannot take writes, or "" when it can. */
  synchronized String brokenBecause() {
    return broken;
  }

  @Override
  public synchronized void close() throws IOException {
    if (!closed) {
      closed = true;
      channel.close();
    }
  }

  // ---- the record format ------------------------------------------------------------------------

  /** The bytes of one record, ready to write. */
  static ByteBuffer record(String key, String value) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(3 * INT + k.length + v.length);
    b.putInt(k.length).put(k).putInt(v.length).put(v);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.flip();
  }

  /**
   * Reads the good records of a log of {@code length} bytes into {@code map};
   * returns the length they take, where the first bad or incomplete one starts.
   */
  private static long replay(Path file, long length, Map<String, String> map) throws IOException {
    long good = 0;
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
      CRC32C crc = new CRC32C();
      while (true) {
        long left = length - good;
        if (left < 3 * INT) {
          return good; // the end, or the first bytes of a torn record
        }
        int keyLength = in.readInt();
        if (keyLength < 0 || keyLength > left - 3 * INT) {
          return good;
        }
        byte[] key = in.readNBytes(keyLength);
        int valueLength = in.readInt();
        if (valueLength < 0 || valueLength > left - 3 * INT - keyLength) {
          return good;
        }
        byte[] value = in.readNBytes(valueLength);
        int stored = in.readInt();
        if (key.length != keyLength || value.length != valueLength) {
          throw new EOFException(file + " is shorter than its size said: is something else writing it?");
        }
        crc.reset();
        crc.update(ByteBuffer.allocate(INT).putInt(0, keyLength));
        crc.update(key);
        crc.update(ByteBuffer.allocate(INT).putInt(0, valueLength));
        crc.update(value);
        if ((int) crc.getValue() != stored) {
          return good;
        }
        map.put(new String(key, StandardCharsets.UTF_8), new String(value, StandardCharsets.UTF_8));
        good += 3L * INT + keyLength + valueLength;
      }
    }
  }

  /** Writes all of {@code b} at {@code position}; returns the position after it. */
  private static long writeFully(FileChannel channel, ByteBuffer b, long position) throws IOException {
    ByteBuffer src = b.duplicate();
    long at = position;
    while (src.hasRemaining()) {
      at += channel.write(src, at);
    }
    return at;
  }

  /** Makes a rename in {@code dir} durable, where the platform allows it (Linux does). */
  private static void forceDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      log.debug("cannot force directory {}: {}", dir, e.toString());
    }
  }
}
