package io.feitian.shennong.monitor.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.feitian.common.zk.Fence;
import io.feitian.common.zk.FencedOutException;
import io.feitian.shennong.monitor.alerts.EvaluatorSnapshot;
import io.feitian.shennong.monitor.json.MonitorSnapshot;
import io.feitian.shennong.monitor.notify.NotifierSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * The monitor-service's state in ZooKeeper, written off the caller's thread, every node through the
 * leader's {@link Fence} (a transaction checking the epoch node), so a deposed leader's writes are
 * refused (its future fails with a FencedOutException) and can never touch its successor's state.
 *
 * <p>Layout under {@code base}:
 * <ul>
 *   <li>{@code state}: the pointer, small JSON: the epoch that wrote it and the names of the chunks
 *       that hold the snapshot. Switching it is the one step that makes a new snapshot current.
 *   <li>{@code state-chunks/<epoch>-<version>-<i>}: the snapshot ({@link MonitorSnapshot}) as JSON,
 *       deflated and cut at {@link StateEncoding#CHUNK_BYTES} ({@link StateEncoding}). A write
 *       puts new chunks under a name no pointer names yet, then switches the pointer, then deletes
 *       the chunks no pointer names (its previous ones, and those of a writer that died before its
 *       switch). A crash anywhere before the switch leaves the previous snapshot whole and current.
 *   <li>{@code history/<epoch>-<seq>}: the transitions, appended in batches as they happen (only the
 *       new ones: the history is never rewritten), the oldest batches deleted once the newer ones
 *       hold {@code historyKept} entries.
 * </ul>
 *
 * <p>Writes coalesce: while one is in flight only the newest waiting snapshot is written next (with
 * every history entry given meanwhile), and every caller that asked meanwhile is answered when it
 * is. Within one write the history goes first, then the snapshot: a crash between them records a
 * transition the snapshot does not show yet (the successor may record it again), never the reverse.
 */
final class StateStore implements AutoCloseable {
  static final String POINTER = "state";
  static final String CHUNKS = "state-chunks";
  static final String HISTORY = "history";
  /** The pointer's {@code format}; a pointer without one is the whole state of before (one znode). */
  private static final int FORMAT = 2;

  private record Batch(String name, int entries) {}

  private final CuratorFramework zk;
  private final String pointerPath;
  private final String chunksPath;
  private final String historyPath;
  private final int historyKept;
  private final AtomicLong bytesWritten = new AtomicLong();
  private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "monitor-state-writer");
    t.setDaemon(true);
    return t;
  });
  // Guarded by this:
  private Fence pendingFence;
  private String pendingJson;
  private List<HistoryEntry> pendingHistory = new ArrayList<>();
  private List<CompletableFuture<Void>> waiting = new ArrayList<>();
  private boolean drainQueued;
  // Writer-owned (and read()'s, before the term's first write):
  private final Deque<Batch> batches = new ArrayDeque<>();
  private long sequence;

  StateStore(CuratorFramework zk, String base, int historyKept) {
    this.zk = zk;
    this.pointerPath = base + "/" + POINTER;
    this.chunksPath = base + "/" + CHUNKS;
    this.historyPath = base + "/" + HISTORY;
    this.historyKept = historyKept;
  }

  /**
   * The stored state, if any: the current snapshot and the newest {@code historyKept} transitions
   * (blocking: a new leader reads it once before it begins its term).
   */
  synchronized Optional<StoredState> read() throws Exception {
    List<HistoryEntry> history = readHistory();
    byte[] pointer = getData(pointerPath);
    if (pointer == null || pointer.length == 0) {
      // History without a snapshot: the first write died between the two. Nothing else to go on from.
      return history.isEmpty() ? Optional.empty() : Optional.of(new StoredState(0, history, new MonitorSnapshot(0,
          new EvaluatorSnapshot(List.of(), List.of(), List.of(), List.of()),
          new NotifierSnapshot(List.of(), List.of(), List.of()))));
    }
    JsonNode p = StoredState.MAPPER.readTree(new String(pointer, StandardCharsets.UTF_8));
    if (p.path("format").asInt() != FORMAT) {
      StoredState whole = StoredState.fromJson(new String(pointer, StandardCharsets.UTF_8));
      List<HistoryEntry> both = new ArrayList<>(whole.recentHistory());
      both.addAll(history);
      return Optional.of(new StoredState(whole.epoch(), newest(both), whole.monitor()));
    }
    List<byte[]> chunks = new ArrayList<>();
    for (JsonNode name : p.path("chunks")) {
      byte[] chunk = getData(chunksPath + "/" + name.asText());
      if (chunk == null) {
        throw new IllegalStateException("the state names chunk " + name.asText() + ", which is missing");
      }
      chunks.add(chunk);
    }
    return Optional.of(new StoredState(p.path("epoch").asLong(), history,
        MonitorSnapshot.fromJson(StateEncoding.snapshotJson(chunks))));
  }

  private List<HistoryEntry> readHistory() throws Exception {
    batches.clear();
    List<HistoryEntry> all = new ArrayList<>();
    for (String name : children(historyPath)) {
      byte[] batch = getData(historyPath + "/" + name);
      if (batch != null) {
        List<HistoryEntry> entries = StateEncoding.historyEntries(batch);
        batches.addLast(new Batch(name, entries.size()));
        all.addAll(entries);
      }
    }
    return newest(all);
  }

  private List<HistoryEntry> newest(List<HistoryEntry> entries) {
    return List.copyOf(entries.subList(Math.max(0, entries.size() - historyKept), entries.size()));
  }

  /**
   * Writes {@code snapshot} and appends {@code newHistory} through {@code fence}; completes when they
   * (or a newer snapshot, with them) are in ZooKeeper.
   */
  CompletableFuture<Void> write(Fence fence, MonitorSnapshot snapshot, List<HistoryEntry> newHistory) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    String json = snapshot.toJson();
    synchronized (this) {
      pendingFence = fence;
      pendingJson = json;
      pendingHistory.addAll(newHistory);
      waiting.add(done);
      if (drainQueued) {
        return done;
      }
      drainQueued = true;
    }
    try {
      writer.execute(this::drain);
    } catch (RejectedExecutionException e) {
      done.completeExceptionally(new IllegalStateException("the state store is closed"));
    }
    return done;
  }

  /** Bytes this store has put into ZooKeeper's nodes (chunks, pointers, history). */
  long bytesWritten() {
    return bytesWritten.get();
  }

  private void drain() {
    Fence fence;
    String json;
    List<HistoryEntry> history;
    List<CompletableFuture<Void>> answered;
    synchronized (this) {
      fence = pendingFence;
      json = pendingJson;
      history = pendingHistory;
      pendingHistory = new ArrayList<>();
      answered = waiting;
      waiting = new ArrayList<>();
      drainQueued = false;
    }
    try {
      appendHistory(fence, history);
    } catch (RuntimeException e) {
      if (!(e instanceof FencedOutException)) {
        // Not recorded: the next write tries these entries again, before its own.
        synchronized (this) {
          history.addAll(pendingHistory);
          pendingHistory = history;
        }
      }
      answered.forEach(f -> f.completeExceptionally(e));
      return;
    }
    try {
      writeSnapshot(fence, json);
      answered.forEach(f -> f.complete(null));
    } catch (RuntimeException e) {
      answered.forEach(f -> f.completeExceptionally(e));
    }
  }

  private synchronized void appendHistory(Fence fence, List<HistoryEntry> entries) {
    for (int at = 0; at < entries.size(); at += StateEncoding.HISTORY_BATCH) {
      List<HistoryEntry> part = entries.subList(at, Math.min(entries.size(), at + StateEncoding.HISTORY_BATCH));
      // Zero-padded, so that names sort in the order written: by epoch, then within the term.
      String name = String.format(Locale.ROOT, "%019d-%012d", fence.epoch(), sequence++);
      put(fence, historyPath + "/" + name, StateEncoding.historyBatch(part));
      batches.addLast(new Batch(name, part.size()));
    }
    int total = batches.stream().mapToInt(Batch::entries).sum();
    while (!batches.isEmpty() && total - batches.peekFirst().entries() >= historyKept) {
      Batch oldest = batches.peekFirst();
      fence.delete(historyPath + "/" + oldest.name());
      batches.removeFirst();
      total -= oldest.entries();
    }
  }

  private synchronized void writeSnapshot(Fence fence, String json) {
    List<byte[]> chunks = StateEncoding.snapshotChunks(json);
    String version = String.format(Locale.ROOT, "%019d-%012d", fence.epoch(), sequence++);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < chunks.size(); i++) {
      names.add(version + "-" + i);
      put(fence, chunksPath + "/" + names.get(i), chunks.get(i));
    }
    var pointer = StoredState.MAPPER.createObjectNode().put("format", FORMAT).put("epoch", fence.epoch());
    names.forEach(pointer.putArray("chunks")::add);
    put(fence, pointerPath, pointer.toString().getBytes(StandardCharsets.UTF_8));
    Set<String> current = new HashSet<>(names);
    for (String name : children(chunksPath)) {
      if (!current.contains(name)) {
        fence.delete(chunksPath + "/" + name);
      }
    }
  }

  private void put(Fence fence, String path, byte[] data) {
    fence.put(path, data);
    bytesWritten.addAndGet(data.length);
  }

  private byte[] getData(String path) {
    try {
      return zk.getData().forPath(path);
    } catch (KeeperException.NoNodeException e) {
      return null;
    } catch (Exception e) {
      throw new IllegalStateException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /** The node's children in name order (none when it does not exist). */
  private List<String> children(String path) {
    try {
      return zk.getChildren().forPath(path).stream().sorted().toList();
    } catch (KeeperException.NoNodeException e) {
      return List.of();
    } catch (Exception e) {
      throw new IllegalStateException("cannot list " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    writer.shutdown();
  }
}
