package io.feitian.shennong.monitor.service;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * How the state is laid out in ZooKeeper's nodes, without ZooKeeper: the snapshot's JSON deflated
 * and cut into chunks of at most {@link #CHUNK_BYTES}, and a batch of history entries deflated
 * into one node. Pure, so the benchmark counts exactly the bytes {@link StateStore} writes.
 *
 * <p>Why deflate: the snapshot repeats the same rule names, label names and values in every alert
 * (and the notifier's groups copy the alerts), so it shrinks about tenfold. Why chunks: a node,
 * and a multi-op request, above ZooKeeper's {@code jute.maxbuffer} (1 MiB by default) is refused;
 * half of it leaves room for the request's other parts.
 */
public final class StateEncoding {
  /** The most one node holds. */
  public static final int CHUNK_BYTES = 512 * 1024;
  /** The most entries one history node holds (about 250 bytes each before deflating). */
  public static final int HISTORY_BATCH = 1000;

  private StateEncoding() {}

  /** The snapshot's JSON, deflated and cut into nodes' worth. */
  public static List<byte[]> snapshotChunks(String json) {
    byte[] packed = deflate(json.getBytes(StandardCharsets.UTF_8));
    List<byte[]> chunks = new ArrayList<>();
    for (int at = 0; at < packed.length || chunks.isEmpty(); at += CHUNK_BYTES) {
      chunks.add(Arrays.copyOfRange(packed, at, Math.min(packed.length, at + CHUNK_BYTES)));
    }
    return chunks;
  }

  /** The snapshot's JSON from its chunks, in order. */
  public static String snapshotJson(List<byte[]> chunks) {
    ByteArrayOutputStream packed = new ByteArrayOutputStream();
    chunks.forEach(packed::writeBytes);
    return new String(inflate(packed.toByteArray()), StandardCharsets.UTF_8);
  }

  /** One history node: at most {@link #HISTORY_BATCH} entries, oldest first. */
  public static byte[] historyBatch(List<HistoryEntry> entries) {
    if (entries.size() > HISTORY_BATCH) {
      throw new IllegalArgumentException("a history batch holds at most " + HISTORY_BATCH + " entries");
    }
    try {
      return deflate(StoredState.MAPPER.writeValueAsBytes(entries));
    } catch (IOException e) {
      throw new UncheckedIOException("a history entry holds only strings and numbers: " + e, e);
    }
  }

  public static List<HistoryEntry> historyEntries(byte[] batch) {
    try {
      return StoredState.MAPPER.readValue(inflate(batch), new TypeReference<List<HistoryEntry>>() {});
    } catch (IOException e) {
      throw new IllegalArgumentException("not a history batch: " + e.getMessage(), e);
    }
  }

  private static byte[] deflate(byte[] raw) {
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
    try {
      deflater.setInput(raw);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 8 + 64);
      byte[] buffer = new byte[64 * 1024];
      while (!deflater.finished()) {
        out.write(buffer, 0, deflater.deflate(buffer));
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  private static byte[] inflate(byte[] packed) {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(packed);
      ByteArrayOutputStream out = new ByteArrayOutputStream(packed.length * 8 + 64);
      byte[] buffer = new byte[64 * 1024];
      while (!inflater.finished()) {
        int n = inflater.inflate(buffer);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new IllegalArgumentException("truncated deflate data");
        }
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      throw new IllegalArgumentException("not deflate data: " + e.getMessage(), e);
    } finally {
      inflater.end();
    }
  }
}
