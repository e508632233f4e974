package io.feitian.shennong.monitor.service;

import io.feitian.common.zk.Fence;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * The monitor-service's state in one ZooKeeper znode, written off the caller's thread through the
 * leader's {@link Fence}: a deposed leader's write is refused (its future fails with a
 * FencedOutException), so it can never overwrite its successor's state. Writes coalesce: while
 * one is in flight only the newest waiting state is written next, and every caller that asked
 * meanwhile is answered when it is.
 */
final class StateStore implements AutoCloseable {
  private final CuratorFramework zk;
  private final String path;
  private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "monitor-state-writer");
    t.setDaemon(true);
    return t;
  });
  // Guarded by this:
  private Fence pendingFence;
  private String pendingJson;
  private List<CompletableFuture<Void>> waiting = new ArrayList<>();
  private boolean drainQueued;

  StateStore(CuratorFramework zk, String path) {
    this.zk = zk;
    this.path = path;
  }

  /** The stored state, if any (blocking: a new leader reads it once before it begins). */
  Optional<StoredState> read() throws Exception {
    try {
      byte[] data = zk.getData().forPath(path);
      return data.length == 0 ? Optional.empty()
          : Optional.of(StoredState.fromJson(new String(data, StandardCharsets.UTF_8)));
    } catch (KeeperException.NoNodeException e) {
      return Optional.empty();
    }
  }

  /** Writes {@code state} through {@code fence}; completes when it (or a newer state) is in ZooKeeper. */
  CompletableFuture<Void> write(Fence fence, StoredState state) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    String json = state.toJson();
    synchronized (this) {
      pendingFence = fence;
      pendingJson = json;
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

  private void drain() {
    Fence fence;
    String json;
    List<CompletableFuture<Void>> answered;
    synchronized (this) {
      fence = pendingFence;
      json = pendingJson;
      answered = waiting;
      waiting = new ArrayList<>();
      drainQueued = false;
    }
    try {
      fence.put(path, json.getBytes(StandardCharsets.UTF_8));
      answered.forEach(f -> f.complete(null));
    } catch (RuntimeException e) {
      answered.forEach(f -> f.completeExceptionally(e));
    }
  }

  @Override
  public void close() {
    writer.shutdown();
  }
}
