package io.feitian.service.master;

import com.typesafe.config.Config;
import io.feitian.client.FeitianClient;
import io.feitian.client.shennong.PeriodicReporter;
import io.feitian.common.config.ChildEnvironment;
import io.feitian.common.config.ConfigLoader;
import io.feitian.common.grpc.GrpcServer;
import io.feitian.common.security.SecuritySettings;
import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.GetAppRequest;
import io.feitian.proto.service.v1.ServiceSpec;
import io.feitian.proto.service.v1.ServiceState;
import io.feitian.service.report.ServiceReport;
import io.feitian.service.spec.ServiceSpecs;
import io.feitian.service.state.ServiceStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service-master process, started by fuxi-master for an application of
 * kind "service" with FEITIAN_APP_ID, FEITIAN_ZK and FEITIAN_CLUSTER set, on
 * a node whose task-worker sets FEITIAN_NODE_ADDRESS and its security settings
 * (SecuritySettings#childEnvironment), which its server and channels use.
 * It takes the service's state from ZooKeeper (or creates it from the
 * description), and runs until the service is deleted (exit 0) or another
 * service-master took over (exit 1).
 */
public final class ServiceMasterMain {
  private static final Logger log = LoggerFactory.getLogger(ServiceMasterMain.class);

  private ServiceMasterMain() {}

  public static void main(String[] args) throws Exception {
    String appId = required("FEITIAN_APP_ID");
    String nodeAddress = required("FEITIAN_NODE_ADDRESS");
    String host = nodeAddress.substring(0, nodeAddress.lastIndexOf(':'));
    Config config = ConfigLoader.load(null);
    int code;
    try (FeitianClient client = FeitianClient.fromConfig(config)) {
      CuratorFramework zk = client.zookeeper().orElseThrow();
      AppInfo app = client.cluster(s -> s.getApp(GetAppRequest.newBuilder().setAppId(appId).build()));
      ServiceSpec spec = ServiceSpecs.fromBytes("description", app.getSpec().getDescription());
      ServiceStore store = new ServiceStore(zk, appId);
      ServiceState state = store.load().orElse(null);
      if (state == null) {
        state = ServiceMaster.initialState(spec, ServiceSpecs.initialTable(spec));
        store.create(state);
        log.info("service {} ({}): new, {} partitions", appId, spec.getName(), state.getPartitionsCount());
      } else {
        log.info("service {} ({}): taking over (restart {}), {} partitions", appId, spec.getName(),
            app.getMasterRestarts(), state.getPartitionsCount());
      }
      // Workers find ZooKeeper, and this service's state in it, as this master does.
      try (ServiceMaster master = new ServiceMaster(appId, spec, state, client, zk, store,
          ChildEnvironment.of(config), Clock.systemUTC())) {
        GrpcServer server = GrpcServer.netty(host, 0, SecuritySettings.from(config))
            .policy(ServiceAdminService.methodPolicy())
            .service(new ServiceAdminService(master, appId, app.getOwner()))
            .shutdownGrace(Duration.ofSeconds(2))
            .build()
            .start();
        ServiceReport report = new ServiceReport();
        Optional<PeriodicReporter> reporter = PeriodicReporter.forDaemon(config, "service-master:" + appId,
            Map.of("service", appId), () -> report.next(master.call(master::status)
                .get(PeriodicReporter.VIEW_WAIT.toMillis(), TimeUnit.MILLISECONDS)));
        try {
          master.start(host + ":" + server.port(), store.grants().all());
          code = master.awaitEnd();
        } finally {
          reporter.ifPresent(PeriodicReporter::close);
          server.close();
        }
      }
    }
    log.info("service-master of {} exits {}", appId, code);
    System.exit(code);
  }

  private static String required(String name) {
    String v = System.getenv(name);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException(name + " is not set: the service-master is started by fuxi-master");
    }
    return v;
  }
}
