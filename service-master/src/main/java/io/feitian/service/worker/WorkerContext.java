package io.feitian.service.worker;

import java.nio.file.Path;
import java.util.Map;

/** What the runtime tells a worker about itself, and the ownership check its requests go through. */
public interface WorkerContext {
  String appId();

  String workerId();

  String role();

  /** The worker's private working directory (gone with the worker: not for partition data). */
  Path workDir();

  /** The process environment, including the role's env from the description. */
  Map<String, String> env();

  /**
   * Holds the partition that serves {@code key} (a key in the service's key
   * space; for services split by count, {@link io.feitian.service.client.ServiceKeys#hash}
   * of the application's key). Throws a gRPC FAILED_PRECONDITION
   * StatusRuntimeException when this worker does not serve it now, so the
   * client looks the owner up again.
   */
  Served serve(String key);
}
