package io.feitian.job.master;

import io.feitian.common.app.FieldChecks;
import io.feitian.common.grpc.Echo;
import io.feitian.common.security.AuthInterceptor;
import io.feitian.common.security.MethodPolicy;
import io.feitian.common.security.Principal;
import io.feitian.common.security.Role;
import io.feitian.proto.job.v1.GetJobRequest;
import io.feitian.proto.job.v1.GetLogsRequest;
import io.feitian.proto.job.v1.GetLogsResponse;
import io.feitian.proto.job.v1.InstanceLog;
import io.feitian.proto.job.v1.JobServiceGrpc;
import io.feitian.proto.job.v1.JobStatus;
import io.feitian.proto.job.v1.JobWorkerServiceGrpc;
import io.feitian.proto.job.v1.KillJobRequest;
import io.feitian.proto.job.v1.WorkerCommand;
import io.feitian.proto.job.v1.WorkerMessage;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** The job-master's gRPC services, handing every call to its {@link JobMaster}'s loop. */
final class JobServices {
  /** What a worker keeps of an attempt's log, and so the most GetLogs.tail_bytes can ask. */
  static final int MAX_TAIL_BYTES = 64 * 1024;
  private static final FieldChecks CHECKS = new FieldChecks("");

  private JobServices() {}

  /**
   * Reading a job needs a reader, killing it a user; the service checks that
   * the caller owns the job (or is a reader, for reads, or an admin). Task
   * Workers' streams need the admin role of the processes a node starts.
   */
  static MethodPolicy methodPolicy() {
    String jobs = JobServiceGrpc.SERVICE_NAME + "/";
    return MethodPolicy.requiring(Role.ADMIN)
        .with(Role.READER, jobs + "GetJob", jobs + "WatchJob", jobs + "GetLogs")
        .with(Role.USER, jobs + "KillJob");
  }

  static Status toStatus(Throwable t) {
    Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    if (c instanceof StatusRuntimeException s) {
      return s.getStatus();
    }
    if (c instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(c.getMessage());
    }
    return Status.INTERNAL.withDescription(c.toString());
  }

  private static <T> void answer(CompletableFuture<T> f, StreamObserver<T> response) {
    f.whenComplete((value, error) -> {
      if (error != null) {
        response.onError(toStatus(error).asRuntimeException());
      } else {
        response.onNext(value);
        response.onCompleted();
      }
    });
  }

  /** Runs a check of a request; a failed one answers the call with INVALID_ARGUMENT and returns false. */
  private static boolean valid(StreamObserver<?> response, Runnable check) {
    try {
      check.run();
      return true;
    } catch (IllegalArgumentException e) {
      response.onError(toStatus(e).asRuntimeException());
      return false;
    }
  }

  private enum Access { READ, CHANGE }

  /** Clients: status, watch, kill, logs. */
  static final class Jobs extends JobServiceGrpc.JobServiceImplBase {
    private final JobMaster master;
    private final String jobId;
    /** Who submitted the job (AppInfo.owner). */
    private final String owner;

    Jobs(JobMaster master, String jobId, String owner) {
      this.master = master;
      this.jobId = jobId;
      this.owner = owner;
    }

    private <T> CompletableFuture<T> forThisJob(String requested, Access access, Function<JobMaster, T> work) {
      if (!requested.equals(jobId)) {
        return CompletableFuture.failedFuture(Status.NOT_FOUND.withDescription("this is the job-master of " + jobId
            + ", not of " + Echo.quote(requested)).asRuntimeException());
      }
      Principal caller = AuthInterceptor.currentPrincipal();
      try {
        if (access == Access.CHANGE) {
          caller.checkChange("job " + jobId, owner);
        } else {
          caller.checkRead("job " + jobId, owner);
        }
      } catch (StatusRuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
      return master.call(() -> work.apply(master));
    }

    @Override
    public void getJob(GetJobRequest request, StreamObserver<JobStatus> response) {
      answer(forThisJob(request.getJobId(), Access.READ, JobMaster::status), response);
    }

    @Override
    public void watchJob(GetJobRequest request, StreamObserver<JobStatus> response) {
      forThisJob(request.getJobId(), Access.READ, m -> {
        m.watch(response);
        return null;
      }).exceptionally(error -> {
        response.onError(toStatus(error).asRuntimeException());
        return null;
      });
    }

    @Override
    public void killJob(KillJobRequest request, StreamObserver<JobStatus> response) {
      if (!valid(response, () -> CHECKS.maxBytes("reason", request.getReason(), FieldChecks.MAX_TEXT_BYTES))) {
        return;
      }
      String reason = request.getReason().isBlank() ? "killed by a client" : request.getReason();
      answer(forThisJob(request.getJobId(), Access.CHANGE, m -> {
        m.kill(reason);
        return m.status();
      }), response);
    }

    @Override
    public void getLogs(GetLogsRequest request, StreamObserver<GetLogsResponse> response) {
      if (!valid(response, () -> CHECKS.between("tail_bytes", request.getTailBytes(), 0, MAX_TAIL_BYTES))) {
        return;
      }
      int tail = request.getTailBytes() == 0 ? MAX_TAIL_BYTES : request.getTailBytes();
      answer(forThisJob(request.getJobId(), Access.READ, m -> GetLogsResponse.newBuilder()
          .addAllLogs(tails(m.logs(request.getTask(), request.getTask().isEmpty() ? -1 : request.getInstance()), tail))
          .build()), response);
    }

    /** The last {@code chars} characters of each log. */
    private static List<InstanceLog> tails(List<InstanceLog> logs, int chars) {
      return logs.stream().map(l -> l.getText().length() <= chars ? l
          : l.toBuilder().setText(l.getText().substring(l.getText().length() - chars)).build()).toList();
    }
  }

  /** Task Workers: one stream each. */
  static final class Workers extends JobWorkerServiceGrpc.JobWorkerServiceImplBase {
    private final JobMaster master;

    Workers(JobMaster master) {
      this.master = master;
    }

    @Override
    public StreamObserver<WorkerMessage> work(StreamObserver<WorkerCommand> commands) {
      return new StreamObserver<>() {
        // Touched on the master's loop only.
        private JobMaster.WorkerLink link;
        private boolean ended;

        @Override
        public void onNext(WorkerMessage m) {
          master.post(() -> {
            if (ended) {
              return;
            }
            try {
              handle(m);
            } catch (RuntimeException e) {
              ended = true;
              commands.onError(toStatus(e).asRuntimeException());
              if (link != null) {
                master.workerGone(link, toStatus(e));
              }
            }
          });
        }

        private void handle(WorkerMessage m) {
          if (link == null) {
            if (!m.hasHello()) {
              throw new IllegalArgumentException("the first message of a Work stream must be hello, got "
                  + m.getKindCase());
            }
            link = master.hello(m.getHello(), commands);
            return;
          }
          switch (m.getKindCase()) {
            case READY -> master.ready(link);
            case RESULT -> master.result(link, m.getResult());
            default -> throw new IllegalArgumentException("unexpected message " + m.getKindCase());
          }
        }

        @Override
        public void onError(Throwable t) {
          end(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
          end(Status.OK.withDescription("worker finished"));
          master.post(() -> {
            try {
              commands.onCompleted();
            } catch (RuntimeException ignored) {
              // already closed
            }
          });
        }

        private void end(Status why) {
          master.post(() -> {
            ended = true;
            if (link != null) {
              master.workerGone(link, why);
            }
          });
        }
      };
    }
  }
}
