package io.feitian.service.client;

import com.google.protobuf.InvalidProtocolBufferException;
import io.feitian.client.FeitianClient;
import io.feitian.common.grpc.CallFailures;
import io.feitian.common.retry.Backoff;
import io.feitian.proto.service.v1.PartitionRecord;
import io.feitian.proto.service.v1.PartitionState;
import io.feitian.proto.service.v1.ServiceState;
import io.feitian.proto.service.v1.WorkerRecord;
import io.feitian.service.state.ServicePaths;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;

/**
 * Routes a service's keys to the workers that own them. It watches the
 * service's partition table and worker records in ZooKeeper (so it keeps
 * working while the service-master restarts), sends a call to the owner of
 * the key's partition, and when the owner refuses (FAILED_PRECONDITION: the
 * partition moved) or cannot be reached (UNAVAILABLE), waits for the table
 * to change and tries again, up to a deadline.
 *
 * <p>Keys are in the service's key space: for services split by a count,
 * {@link ServiceKeys#hash} of the application's key.
 */
public final class ServiceClient implements AutoCloseable {
  private final String appId;
  private final Duration retryWindow;
  private final CuratorCache cache;
  /** Channels to the workers, with the cluster client's TLS settings and token. */
  private final FeitianClient cluster;
  private final Object changed = new Object();
  /** Range start -> partition, as last read. */
  private volatile TreeMap<String, PartitionRecord> partitions = new TreeMap<>();
  private final Map<String, String> endpoints = new ConcurrentHashMap<>();
  private long version;

  /**
   * A client of the service {@code appId} of the cluster {@code cluster}
   * reaches through ZooKeeper, retrying a refused call for up to {@code retryWindow}.
   */
  public ServiceClient(FeitianClient cluster, String appId, Duration retryWindow) {
    this.appId = appId;
    this.retryWindow = retryWindow;
    this.cluster = cluster;
    CuratorFramework zk = cluster.zookeeper().orElseThrow(() -> new IllegalArgumentException(
        "a service client follows the partition table in ZooKeeper: reach the cluster through zk://"));
    this.cache = CuratorCache.build(zk, ServicePaths.service(appId));
    cache.listenable().addListener(CuratorCacheListener.builder()
        .forCreatesAndChanges((before, node) -> update(node, false))
        .forDeletes(node -> update(node, true))
        .build());
    cache.start();
  }

  private void update(ChildData node, boolean deleted) {
    try {
      if (node.getPath().equals(ServicePaths.state(appId))) {
        TreeMap<String, PartitionRecord> next = new TreeMap<>();
        if (!deleted) {
          ServiceState.parseFrom(node.getData()).getPartitionsList().forEach(p -> next.put(p.getStart(), p));
        }
        partitions = next;
      } else if (node.getPath().startsWith(ServicePaths.workers(appId) + "/")) {
        WorkerRecord w = WorkerRecord.parseFrom(node.getData());
        if (deleted) {
          endpoints.remove(w.getWorkerId());
        } else {
          endpoints.put(w.getWorkerId(), w.getEndpoint());
        }
      }
    } catch (InvalidProtocolBufferException e) {
      return; // not ours to read; the next change replaces it
    }
    synchronized (changed) {
      version++;
      changed.notifyAll();
    }
  }

  /** The partition holding {@code key}, as the table says now. */
  public Optional<PartitionRecord> partitionOf(String key) {
    var e = partitions.floorEntry(key);
    return e == null ? Optional.empty() : Optional.of(e.getValue());
  }

  /** The endpoint of the worker serving {@code key} now, if one is. */
  public Optional<String> ownerOf(String key) {
    return partitionOf(key).filter(p -> p.getState() == PartitionState.PARTITION_STATE_SERVING)
        .map(p -> endpoints.get(p.getOwner()));
  }

  /**
   * Runs {@code call} on a channel to the owner of {@code key}, again after
   * each FAILED_PRECONDITION or UNAVAILABLE as the table changes, until it
   * succeeds or the retry window has passed (then the last error is thrown).
   * The call must be safe to repeat: a call that failed UNAVAILABLE may
   * have been carried out.
   */
  public <T> T call(String key, Function<ManagedChannel, T> call) throws InterruptedException {
    long deadline = System.nanoTime() + retryWindow.toNanos();
    Backoff backoff = new Backoff(Duration.ofMillis(10), Duration.ofMillis(200));
    StatusRuntimeException last = Status.UNAVAILABLE.withDescription("no worker serves key '" + key + "' of "
        + appId).asRuntimeException();
    while (true) {
      long seen;
      synchronized (changed) {
        seen = version;
      }
      Optional<String> owner = ownerOf(key);
      if (owner.isPresent()) {
        try {
          return call.apply(cluster.channel(owner.get()));
        } catch (StatusRuntimeException e) {
          // Moved (FAILED_PRECONDITION), or the owner is unreachable or died mid-call.
          if (e.getStatus().getCode() != Status.Code.FAILED_PRECONDITION && !CallFailures.lostTheServer(e.getStatus())) {
            throw e;
          }
          last = e;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw last;
      }
      // Wait for the table to change, or a short backoff (the owner may be briefly unreachable).
      synchronized (changed) {
        if (version == seen) {
          changed.wait(Math.max(1, Math.min(backoff.nextDelayMillis(), left / 1_000_000)));
        }
      }
    }
  }

  @Override
  public void close() {
    cache.close();
  }
}
