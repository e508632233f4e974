package io.feitian.job.client;

import com.google.protobuf.InvalidProtocolBufferException;
import io.feitian.client.AppStates;
import io.feitian.client.FeitianClient;
import io.feitian.common.grpc.CallFailures;
import io.feitian.common.retry.Backoff;
import io.feitian.job.spec.JobKind;
import io.feitian.job.spec.JobSpecs;
import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.AppSpec;
import io.feitian.proto.fuxi.v1.AppState;
import io.feitian.proto.fuxi.v1.GetAppRequest;
import io.feitian.proto.fuxi.v1.ListAppsRequest;
import io.feitian.proto.fuxi.v1.SubmitAppRequest;
import io.feitian.proto.job.v1.GetJobRequest;
import io.feitian.proto.job.v1.GetLogsRequest;
import io.feitian.proto.job.v1.InstanceLog;
import io.feitian.proto.job.v1.JobServiceGrpc;
import io.feitian.proto.job.v1.JobSpec;
import io.feitian.proto.job.v1.JobState;
import io.feitian.proto.job.v1.JobStatus;
import io.feitian.proto.job.v1.KillJobRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The job API for applications: submit a job, follow it, kill it, read its
 * logs. A running job is asked through its job-master (whose address
 * fuxi-master keeps in the application record); an ended one is read from
 * the final status fuxi-master keeps.
 */
public final class JobClient {
  private final FeitianClient client;

  public JobClient(FeitianClient client) {
    this.client = client;
  }

  /**
   * Reads a description file, makes its relative paths absolute against the
   * file's directory, checks it (structure, and the paths as this machine
   * sees them), and submits it. Returns the job id.
   */
  public String submit(Path file) throws IOException {
    JobSpec spec = JobSpecs.resolvePaths(JobSpecs.fromJson(Files.readString(file)),
        file.toAbsolutePath().getParent(), Path.of("").toAbsolutePath());
    return submit(spec);
  }

  /** Checks and submits a description whose paths are absolute. Returns the job id. */
  public String submit(JobSpec spec) {
    // The structure is checked once, by fuxi-master (INVALID_ARGUMENT naming the field); only what this
    // machine alone can see is checked here.
    LocalPaths.check(spec);
    AppSpec app = AppSpec.newBuilder().setName(spec.getName()).setKind(JobKind.NAME).setPriority(spec.getPriority())
        .setQuotaGroup(spec.getQuotaGroup()).setDescription(spec.toByteString()).build();
    return client.cluster(c -> c.submitApp(SubmitAppRequest.newBuilder().setSpec(app).build())).getAppId();
  }

  private AppInfo app(String jobId) {
    AppInfo app = client.cluster(c -> c.getApp(GetAppRequest.newBuilder().setAppId(jobId).build()));
    if (!app.getSpec().getKind().equals(JobKind.NAME)) {
      throw Status.NOT_FOUND.withDescription(jobId + " is an application but not a job").asRuntimeException();
    }
    return app;
  }

  /** The job's status: from its job-master while it runs, from its record once it has ended. */
  public JobStatus status(String jobId) {
    AppInfo app = app(jobId);
    if (AppStates.active(app) && !app.getEndpoint().isEmpty()) {
      try {
        return jobs(app).getJob(GetJobRequest.newBuilder().setJobId(jobId).build());
      } catch (StatusRuntimeException e) {
        if (!CallFailures.lostTheServer(e.getStatus())) {
          throw e;
        }
        app = app(jobId); // the job-master just ended or is restarting: the record says which
      }
    }
    return fromRecord(app);
  }

  /** What the application record says of a job whose master cannot be asked. */
  static JobStatus fromRecord(AppInfo app) {
    if (!app.getOutcome().isEmpty()) {
      try {
        return JobStatus.parseFrom(app.getOutcome());
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("the outcome of " + app.getAppId() + " is not a JobStatus", e);
      }
    }
    JobState state = switch (app.getState()) {
      case APP_STATE_SUCCEEDED -> JobState.JOB_STATE_SUCCEEDED;
      case APP_STATE_FAILED -> JobState.JOB_STATE_FAILED;
      case APP_STATE_KILLED -> JobState.JOB_STATE_KILLED;
      case APP_STATE_RUNNING, APP_STATE_RESTARTING -> JobState.JOB_STATE_RUNNING;
      default -> JobState.JOB_STATE_PENDING;
    };
    return JobStatus.newBuilder().setJobId(app.getAppId()).setName(app.getSpec().getName()).setState(state)
        .setMessage(app.getMessage()).setStartedAtMs(app.getSubmittedAtMs()).setEndedAtMs(app.getEndedAtMs()).build();
  }

  public static boolean ended(JobStatus s) {
    return s.getState() == JobState.JOB_STATE_SUCCEEDED || s.getState() == JobState.JOB_STATE_FAILED
        || s.getState() == JobState.JOB_STATE_KILLED;
  }

  /**
   * Follows a job until it ends, calling {@code onChange} with each status
   * (streamed from its job-master; while there is none yet, as the record
   * says, read again after a short backoff). Returns the final status.
   */
  public JobStatus watch(String jobId, Consumer<JobStatus> onChange) throws InterruptedException {
    Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2));
    while (true) {
      AppInfo app = app(jobId);
      if (!AppStates.active(app)) {
        JobStatus end = fromRecord(app);
        onChange.accept(end);
        return end;
      }
      if (!app.getEndpoint().isEmpty()) {
        try {
          Iterator<JobStatus> stream = JobServiceGrpc.newBlockingStub(client.channel(app.getEndpoint()))
              .withCallCredentials(null)
              .watchJob(GetJobRequest.newBuilder().setJobId(jobId).build());
          while (stream.hasNext()) {
            JobStatus s = stream.next();
            onChange.accept(s);
            backoff.reset();
          }
        } catch (StatusRuntimeException e) {
          // CANCELLED: that master's server shut down under the stream (it stopped, or a newer master replaced it).
          Status.Code code = e.getStatus().getCode();
          if (!CallFailures.lostTheServer(e.getStatus()) && code != Status.Code.NOT_FOUND
              && code != Status.Code.CANCELLED) {
            throw e;
          }
        }
      } else {
        onChange.accept(fromRecord(app));
      }
      Thread.sleep(backoff.nextDelayMillis());
    }
  }

  public JobStatus kill(String jobId, String reason) {
    AppInfo app = app(jobId);
    if (!AppStates.active(app)) {
      return fromRecord(app);
    }
    if (app.getEndpoint().isEmpty()) {
      // No job-master yet: ending the application is all there is to do.
      client.cluster(c -> c.killApp(io.feitian.proto.fuxi.v1.KillAppRequest.newBuilder().setAppId(jobId).build()));
      return fromRecord(app(jobId));
    }
    return jobs(app).killJob(KillJobRequest.newBuilder().setJobId(jobId).setReason(reason).build());
  }

  /**
   * Logs of instances (see GetLogsRequest): from the job-master while it
   * runs; once it has gone, a task's from the logs kept under the output
   * directory (see {@link JobLogs}) if this machine sees it, and the job's
   * failure otherwise.
   */
  public List<InstanceLog> logs(String jobId, String task, int instance) throws IOException {
    AppInfo app = app(jobId);
    if (AppStates.active(app) && !app.getEndpoint().isEmpty()) {
      return jobs(app).getLogs(GetLogsRequest.newBuilder().setJobId(jobId).setTask(task).setInstance(instance).build())
          .getLogsList();
    }
    JobStatus end = fromRecord(app);
    List<InstanceLog> logs = new ArrayList<>();
    Optional<List<InstanceLog>> kept = task.isEmpty() || end.getOutputDir().isEmpty() ? Optional.empty()
        : JobLogs.read(Path.of(end.getOutputDir()));
    if (kept.isPresent()) {
      kept.get().stream().filter(l -> l.getTask().equals(task) && (instance < 0 || l.getInstance() == instance))
          .forEach(logs::add);
    } else if (end.hasFailure() && (task.isEmpty() || end.getFailure().getTask().equals(task))) {
      logs.add(end.getFailure());
    }
    return logs;
  }

  /** Jobs known to the cluster (with {@code all}, ended ones too), as their records say. */
  public List<JobStatus> list(boolean all) {
    List<JobStatus> jobs = new ArrayList<>();
    for (AppInfo a : client.cluster(c -> c.listApps(ListAppsRequest.newBuilder().setAll(all).build())).getAppsList()) {
      if (a.getSpec().getKind().equals(JobKind.NAME)) {
        jobs.add(fromRecord(a));
      }
    }
    return jobs;
  }

  private JobServiceGrpc.JobServiceBlockingStub jobs(AppInfo app) {
    return client.callSettings().unary(JobServiceGrpc.newBlockingStub(client.channel(app.getEndpoint())));
  }
}
