package io.feitian.service.worker;

import io.grpc.BindableService;
import java.util.List;

/**
 * What a service implements to be a worker of its partitioned role (the
 * Service Worker SDK). The runtime ({@link ServiceWorkerRuntime}) owns the
 * ZooKeeper session, the gRPC server and the ownership checks; it calls
 * these methods one at a time, never while a request holds the partition
 * (see {@link WorkerContext#serve}).
 *
 * <p>A partition's data must be reachable by whichever worker loads it next
 * (a shared directory, a replicated store): {@code unload} and {@code split}
 * leave it there, {@code load} picks it up.
 */
public interface ServiceWorker {
  /** The service's own gRPC API, served beside the control API. Called once, first. */
  List<BindableService> services(WorkerContext context) throws Exception;

  /** Make the partition's data ready to serve at its epoch. Throwing refuses the load. */
  void load(PartitionInfo partition) throws Exception;

  /** Stop serving the partition; no request for it runs now or later (until a new load). */
  void unload(PartitionInfo partition) throws Exception;

  /**
   * Divide the stopped partition's data into {@code lower} and {@code upper}
   * (keys below and from the split key), leaving the partition's own data as
   * it was. The halves are served after {@link #load} is called for each,
   * here or on another worker.
   */
  void split(PartitionInfo partition, PartitionInfo lower, PartitionInfo upper) throws Exception;

  /** Whether the worker can serve (its disk, its dependencies); an unhealthy worker says why. */
  default String unhealthyBecause() {
    return "";
  }

  /** The process is stopping. */
  default void close() throws Exception {}
}
