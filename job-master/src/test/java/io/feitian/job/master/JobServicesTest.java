package io.feitian.job.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.common.grpc.GrpcServer;
import io.feitian.common.security.SecuritySettings;
import io.feitian.proto.job.v1.GetLogsRequest;
import io.feitian.proto.job.v1.JobServiceGrpc;
import io.feitian.proto.job.v1.KillJobRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Requests the job-master refuses before they reach the job (so no job-master runs here). */
class JobServicesTest {
  GrpcServer server;
  ManagedChannel channel;
  JobServiceGrpc.JobServiceBlockingStub jobs;

  @BeforeEach
  void start() {
    String name = InProcessServerBuilder.generateName();
    server = GrpcServer.on(InProcessServerBuilder.forName(name), SecuritySettings.INSECURE)
        .service(new JobServices.Jobs(null, "app-1", "anonymous")).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    jobs = JobServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.close();
  }

  private static void refused(Runnable call, String description) {
    assertThatThrownBy(call::run).satisfies(e -> {
      Status s = Status.fromThrowable(e);
      assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(s.getDescription()).isEqualTo(description);
    });
  }

  @Test
  void aNegativeOrOversizedLogTailIsInvalid() {
    for (int tail : new int[] {-1, JobServices.MAX_TAIL_BYTES + 1}) {
      refused(() -> jobs.getLogs(GetLogsRequest.newBuilder().setJobId("app-1").setTailBytes(tail).build()),
          "tail_bytes must be between 0 and 65536, got " + tail);
    }
  }

  @Test
  void aKillReasonIsBounded() {
    refused(() -> jobs.killJob(KillJobRequest.newBuilder().setJobId("app-1").setReason("r".repeat(5000)).build()),
        "reason is 5000 bytes; at most 4096 are allowed");
  }
}
