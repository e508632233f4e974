package io.feitian.job.master;

import com.typesafe.config.Config;
import io.feitian.client.AppMasterSession;
import io.feitian.client.FeitianClient;
import io.feitian.client.shennong.PeriodicReporter;
import io.feitian.client.shennong.ShennongWriter;
import io.feitian.common.config.ChildEnvironment;
import io.feitian.common.config.ConfigLoader;
import io.feitian.common.grpc.GrpcServer;
import io.feitian.common.security.SecuritySettings;
import io.feitian.job.plan.JobRun;
import io.feitian.job.report.JobReport;
import io.feitian.job.spec.JobSpecs;
import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.GetAppRequest;
import io.feitian.proto.job.v1.JobSpec;
import io.feitian.proto.job.v1.JobState;
import io.feitian.proto.job.v1.JobStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job-master process, started by fuxi-master for an application of kind
 * "job" with FEITIAN_APP_ID, FEITIAN_ZK and FEITIAN_CLUSTER set, on a node
 * whose task-worker also sets FEITIAN_NODE_ADDRESS and its security settings
 * (SecuritySettings#childEnvironment), which its server and channels use. It reads
 * the job from the application's record, runs it, and exits 0 once
 * fuxi-master knows how it ended.
 */
public final class JobMasterMain {
  private static final Logger log = LoggerFactory.getLogger(JobMasterMain.class);
  /** Attempt numbers each job-master generation may use (restart n uses n*1000 and up). */
  static final int ATTEMPTS_PER_MASTER = 1000;

  private JobMasterMain() {}

  public static void main(String[] args) throws Exception {
    String appId = required("FEITIAN_APP_ID");
    String nodeAddress = required("FEITIAN_NODE_ADDRESS");
    String host = nodeAddress.substring(0, nodeAddress.lastIndexOf(':'));
    Config config = ConfigLoader.load(null);
    try (FeitianClient client = FeitianClient.fromConfig(config)) {
      // One ZooKeeper session for finding the leader and for the tasks' snapshots.
      Snapshots snapshots = new Snapshots(client.zookeeper().orElseThrow(), appId);
      AppInfo app = client.cluster(s -> s.getApp(GetAppRequest.newBuilder().setAppId(appId).build()));
      JobSpec spec = JobSpecs.fromBytes("description", app.getSpec().getDescription());
      JobRun run;
      try {
        run = new JobRun(appId, spec, JobMaster.graph(spec), InputListing.splits(spec));
        restore(run, snapshots, app.getMasterRestarts());
      } catch (Exception e) {
        // A job that cannot even be planned (its input vanished) fails with the reason.
        log.error("job {} cannot start: {}", appId, e.getMessage());
        JobStatus failed = failBeforeStart(client, appId, spec, e.getMessage());
        ShennongWriter.forDaemon(config, reportSource(appId), Map.of("job", appId)).ifPresent(w -> {
          try (w) {
            new JobReport().next(new JobReport.View(failed, List.of())).writeTo(w);
          }
        });
        return;
      }
      Clock clock = Clock.systemUTC();
      long submitted = app.getSubmittedAtMs() > 0 ? app.getSubmittedAtMs() : clock.millis();
      try (JobMaster master = new JobMaster(appId, spec, run, snapshots, client, ChildEnvironment.of(config),
          submitted, clock)) {
        GrpcServer server = GrpcServer.netty(host, 0, SecuritySettings.from(config))
            .policy(JobServices.methodPolicy())
            .service(new JobServices.Jobs(master, appId, app.getOwner()))
            .service(new JobServices.Workers(master))
            .shutdownGrace(Duration.ofSeconds(2))
            .build()
            .start();
        JobReport report = new JobReport();
        Optional<PeriodicReporter> reporter = PeriodicReporter.forDaemon(config, reportSource(appId),
            Map.of("job", appId), () -> report.next(master.call(master::reportView)
                .get(PeriodicReporter.VIEW_WAIT.toMillis(), TimeUnit.MILLISECONDS)));
        try {
          master.start(host + ":" + server.port(), snapshots.grants().all());
          JobStatus end = master.awaitEnd();
          // The last report carries the job's end: taken and flushed before this process exits.
          reporter.ifPresent(PeriodicReporter::close);
          if (master.superseded()) {
            server.close();
            System.exit(3); // its workers find the newer master; nothing here may act on the job
          }
          log.info("job {} ended {}", appId, end.getState());
        } finally {
          reporter.ifPresent(PeriodicReporter::close);
          server.close();
        }
      }
    }
  }

  /**
   * A restarted job-master (its application's master_restarts > 0) takes
   * what its predecessors committed from the tasks' snapshots and their
   * attempt counts, and numbers its own attempts in a range of its own.
   */
  private static void restore(JobRun run, Snapshots snapshots, int masterRestarts) throws Exception {
    run.startAttemptsAt(masterRestarts * ATTEMPTS_PER_MASTER);
    run.carryOver(snapshots.loadCounts());
    int restored = 0;
    for (var task : snapshots.load().entrySet()) {
      for (var commit : task.getValue().entrySet()) {
        run.restore(task.getKey(), commit.getKey(), commit.getValue());
        restored++;
      }
    }
    if (restored > 0 || masterRestarts > 0) {
      log.info("job-master restart {}: {} committed instances taken from the tasks' snapshots", masterRestarts,
          restored);
    }
  }

  /**
   * The Shennong source of a job's figures: one per job, so that the agent's limit of series per
   * source (docs/SHENNONG.md) holds for each job, not for all the job-masters of a node together.
   */
  static String reportSource(String appId) {
    return "job-master:" + appId;
  }

  /** Reports a job that failed before any task ran, through a short scheduling session; returns its status. */
  private static JobStatus failBeforeStart(FeitianClient client, String appId, JobSpec spec, String why) {
    JobStatus status = JobStatus.newBuilder().setJobId(appId).setName(spec.getName())
        .setState(JobState.JOB_STATE_FAILED).setMessage(why).setOutputDir(spec.getOutputDir()).build();
    try (var session = new AppMasterSession(client, appId, new AppMasterSession.Listener() {
      @Override
      public void granted(List<io.feitian.proto.fuxi.v1.Grant> grants) {}

      @Override
      public void revoked(List<Long> grantIds, io.feitian.proto.fuxi.v1.RevokeReason reason, String detail) {}
    })) {
      session.start();
      session.unregister(AppMasterSession.Ending.FAILED, why, status.toByteString());
    }
    return status;
  }

  private static String required(String name) {
    String v = System.getenv(name);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException(name + " is not set: the job-master is started by fuxi-master");
    }
    return v;
  }
}
