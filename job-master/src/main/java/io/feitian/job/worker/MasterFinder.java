package io.feitian.job.worker;

import com.typesafe.config.Config;
import io.feitian.client.AppStates;
import io.feitian.client.FeitianClient;
import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.GetAppRequest;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the job-master in office: the endpoint of the job's application
 * record, read through fuxi-master. The connection to the cluster is made
 * on first use, when the worker has lost its master.
 */
final class MasterFinder implements JobWorker.MasterFinder, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MasterFinder.class);

  private final Config config;
  private final String appId;
  private FeitianClient client;

  MasterFinder(Config config, String appId) {
    this.config = config;
    this.appId = appId;
  }

  /** Whether this worker was told where the cluster is (by a job-master that passes FEITIAN_ZK). */
  boolean usable() {
    return System.getenv("FEITIAN_ZK") != null;
  }

  @Override
  public synchronized Optional<String> find() {
    try {
      if (client == null) {
        client = FeitianClient.fromConfig(config);
      }
      AppInfo app = client.cluster(c -> c.getApp(GetAppRequest.newBuilder().setAppId(appId).build()));
      return AppStates.active(app) && !app.getEndpoint().isEmpty() ? Optional.of(app.getEndpoint()) : Optional.empty();
    } catch (RuntimeException e) {
      log.info("cannot look the job-master up yet: {}", e.toString());
      return Optional.empty();
    }
  }

  @Override
  public synchronized void close() {
    if (client != null) {
      client.close();
    }
  }
}
