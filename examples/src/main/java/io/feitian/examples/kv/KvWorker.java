package io.feitian.examples.kv;

import io.feitian.proto.examples.v1.GetRequest;
import io.feitian.proto.examples.v1.GetResponse;
import io.feitian.proto.examples.v1.KeyValueGrpc;
import io.feitian.proto.examples.v1.PutRequest;
import io.feitian.proto.examples.v1.PutResponse;
import io.feitian.service.client.ServiceKeys;
import io.feitian.service.worker.PartitionInfo;
import io.feitian.service.worker.Served;
import io.feitian.service.worker.ServiceWorker;
import io.feitian.service.worker.WorkerContext;
import io.grpc.BindableService;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker of the example key-value service (examples/services/kv.json):
 * each partition it loads is a {@link PartitionStore} under KV_DATA_DIR,
 * which must be reachable by every worker of the role (a shared directory)
 * because a partition moves between workers through its files. A key is
 * served by the partition whose range holds {@link ServiceKeys#hash} of it.
 *
 * <p>Environment: KV_DATA_DIR (required, absolute), KV_FSYNC ("true": force
 * every put to disk, not only to the OS).
 */
public final class KvWorker implements ServiceWorker {
  private static final Logger log = LoggerFactory.getLogger(KvWorker.class);
  static final String ENV_DATA_DIR = "KV_DATA_DIR";
  static final String ENV_FSYNC = "KV_FSYNC";

  /** Partition id -> its open store. Changed by load/unload/split only, read by requests. */
  private final Map<String, PartitionStore> stores = new ConcurrentHashMap<>();
  private volatile Path dataDir;
  private volatile boolean fsync;

  public KvWorker() {}

  @Override
  public List<BindableService> services(WorkerContext context) throws IOException {
    String dir = context.env().get(ENV_DATA_DIR);
    if (dir == null || dir.isBlank()) {
      throw new IllegalArgumentException(ENV_DATA_DIR + " must name the directory of the partitions' data"
          + " (shared by all workers of the role); it is not set");
    }
    Path path = Path.of(dir);
    if (!path.isAbsolute()) {
      throw new IllegalArgumentException(ENV_DATA_DIR + " must be an absolute path, got '" + dir + "'");
    }
    dataDir = Files.createDirectories(path);
    fsync = Boolean.parseBoolean(context.env().getOrDefault(ENV_FSYNC, "false").trim());
    log.info("key-value worker {}: data in {}, fsync {}", context.workerId(), dataDir, fsync);
    return List.of(new Api(context));
  }

  @Override
  public void load(PartitionInfo partition) throws IOException {
    // Whatever is open here is stale: the files are the truth, another worker may have written them since.
    closeQuietly(stores.remove(partition.id()));
    stores.put(partition.id(), PartitionStore.open(dataDir, partition.id(), fsync));
  }

  @Override
  public void unload(PartitionInfo partition) throws IOException {
    PartitionStore store = stores.remove(partition.id());
    if (store != null) {
      store.close();
    }
  }

  /**
   * Writes each half's store from the parent's keys and closes the parent's
   * store, leaving its log as it was: until the halves are loaded the
   * parent is the partition of record, and a failed split serves it again
   * (the runtime restarts it without a load, so its store stays open until
   * the halves are written).
   */
  @Override
  public void split(PartitionInfo partition, PartitionInfo lower, PartitionInfo upper) throws IOException {
    for (PartitionInfo half : List.of(lower, upper)) {
      if (stores.containsKey(half.id())) {
        throw new IllegalStateException("partition " + half.id() + " is open here before its parent "
            + partition.id() + " was split");
      }
    }
    PartitionStore parent = stores.get(partition.id());
    Map<String, String> entries = parent != null ? parent.snapshot()
        : PartitionStore.read(dataDir, partition.id());
    int low = PartitionStore.writeCompacted(dataDir, lower.id(), lower.range(), entries);
    int high = PartitionStore.writeCompacted(dataDir, upper.id(), upper.range(), entries);
    if (low + high != entries.size()) {
      // Keys outside the parent's range were never served by it (a data directory left by another service?).
      log.warn("splitting {} {} dropped {} keys outside its range", partition.id(), partition.range(),
          entries.size() - low - high);
    }
    if (parent != null) {
      stores.remove(partition.id(), parent);
      parent.close();
    }
    log.info("split {} ({} keys) into {} ({} keys) and {} ({} keys)", partition.id(), entries.size(), lower.id(),
        low, upper.id(), high);
  }

  @Override
  public String unhealthyBecause() {
    Path dir = dataDir;
    if (dir != null && !Files.isWritable(dir)) {
      return ENV_DATA_DIR + " " + dir + " is not writable";
    }
    for (Map.Entry<String, PartitionStore> e : stores.entrySet()) {
      String why = e.getValue().brokenBecause();
      if (!why.isEmpty()) {
        return "partition " + e.getKey() + ": " + why;
      }
    }
    return "";
  }

  @Override
  public void close() {
    for (String id : List.copyOf(stores.keySet())) {
      closeQuietly(stores.remove(id));
    }
  }

  private static void requireKey(String key) {
    if (key.isEmpty()) {
      throw Status.INVALID_ARGUMENT.withDescription("key must not be empty").asRuntimeException();
    }
  }

  private static void closeQuietly(PartitionStore store) {
    if (store == null) {
      return;
    }
    try {
      store.close();
    } catch (IOException e) {
      log.warn("cannot close a partition store: {}", e.toString());
    }
  }

  /** The KeyValue API; every request holds its key's partition while it runs. */
  private final class Api extends KeyValueGrpc.KeyValueImplBase {
    private final WorkerContext context;

    Api(WorkerContext context) {
      this.context = context;
    }

    @Override
    public void put(PutRequest request, StreamObserver<PutResponse> responses) {
      PutResponse response;
      try {
        requireKey(request.getKey());
        try (Served served = context.serve(ServiceKeys.hash(request.getKey()))) {
          PartitionInfo p = served.partition();
          store(p).put(request.getKey(), request.getValue());
          response = PutResponse.newBuilder().setPartition(p.id()).setEpoch(p.epoch()).build();
        }
      } catch (StatusRuntimeException e) {
        responses.onError(e);
        return;
      } catch (IOException e) {
        log.warn("put of key '{}' failed", request.getKey(), e);
        responses.onError(Status.UNAVAILABLE.withDescription("the write failed: " + e.getMessage())
            .asRuntimeException());
        return;
      }
      responses.onNext(response);
      responses.onCompleted();
    }

    @Override
    public void get(GetRequest request, StreamObserver<GetResponse> responses) {
      GetResponse response;
      try {
        requireKey(request.getKey());
        try (Served served = context.serve(ServiceKeys.hash(request.getKey()))) {
          PartitionInfo p = served.partition();
          String value = store(p).get(request.getKey());
          GetResponse.Builder b = GetResponse.newBuilder().setPartition(p.id()).setEpoch(p.epoch());
          if (value != null) {
            b.setFound(true).setValue(value);
          }
          response = b.build();
        }
      } catch (StatusRuntimeException e) {
        responses.onError(e);
        return;
      }
      responses.onNext(response);
      responses.onCompleted();
    }

    /** The partition's store: the runtime serves a partition only after loading it, so it is open. */
    private PartitionStore store(PartitionInfo p) {
      PartitionStore store = stores.get(p.id());
      if (store == null) {
        throw Status.UNAVAILABLE.withDescription("partition " + p.id() + " is not open on this worker")
            .asRuntimeException();
      }
      return store;
    }
  }
}
