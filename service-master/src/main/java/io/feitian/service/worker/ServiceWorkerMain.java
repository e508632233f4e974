package io.feitian.service.worker;

import io.feitian.common.app.UserCode;
import io.feitian.common.config.ConfigLoader;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.zk.ZkSettings;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Java Service Worker process: {@code ServiceWorkerMain <worker class> [jar...]},
 * started by a service-master through a task-worker (which sets
 * FEITIAN_APP_ID, FEITIAN_WORKER_ID, FEITIAN_GRANT_ID, FEITIAN_WORK_DIR,
 * FEITIAN_NODE_ID and FEITIAN_NODE_ADDRESS; the service-master adds
 * FEITIAN_ZK, FEITIAN_CLUSTER, FEITIAN_ZK_ROOT and FEITIAN_SERVICE_ROLE).
 * Runs until its task-worker stops it (SIGTERM: it deregisters, then exits).
 */
public final class ServiceWorkerMain {
  private static final Logger log = LoggerFactory.getLogger(ServiceWorkerMain.class);
  public static final String ENV_ROLE = "FEITIAN_SERVICE_ROLE";

  private ServiceWorkerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: ServiceWorkerMain <worker class> [jar...]");
      System.exit(2);
    }
    List<String> jars = Arrays.asList(args).subList(1, args.length);
    UserCode<ServiceWorker> code = UserCode.load("java.jars", jars, args[0], ServiceWorker.class);
    String nodeAddress = env("FEITIAN_NODE_ADDRESS");
    ServiceWorkerRuntime.Identity me = new ServiceWorkerRuntime.Identity(env("FEITIAN_APP_ID"),
        env("FEITIAN_WORKER_ID"), env(ENV_ROLE), Long.parseLong(env("FEITIAN_GRANT_ID")), env("FEITIAN_NODE_ID"),
        nodeAddress.substring(0, nodeAddress.lastIndexOf(':')), Path.of(env("FEITIAN_WORK_DIR")), System.getenv());
    var config = ConfigLoader.load(null);
    ServiceWorkerRuntime runtime = new ServiceWorkerRuntime(me, code.create(), ZkSettings.from(config),
        SecuritySettings.from(config));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        runtime.close();
      } catch (Exception e) {
        log.warn("worker {} did not close cleanly: {}", me.workerId(), e.toString());
      }
    }, "service-worker-stop"));
    runtime.start();
    runtime.awaitClose();
  }

  private static String env(String name) {
    String v = System.getenv(name);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException(name + " is not set: ServiceWorkerMain runs under a task-worker");
    }
    return v;
  }
}
