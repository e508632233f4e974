package io.feitian.taskworker.data;

import io.feitian.common.pipeline.AttemptId;
import io.feitian.common.pipeline.PendingAttempt;
import io.feitian.common.pipeline.PipelineLayout;
import io.feitian.proto.job.v1.FetchRequest;
import io.feitian.proto.job.v1.PipelineDataGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** A node's store and its PipelineData service on an in-process server. */
final class PipelineFixture implements AutoCloseable {
  static final Duration RETENTION = Duration.ofHours(24);

  final PipelineLayout layout;
  final PipelineDataService service;
  final Server server;
  final ManagedChannel channel;

  PipelineFixture(Path workDir, Clock clock) throws IOException {
    layout = PipelineLayout.inWorkDir(workDir);
    service = new PipelineDataService(layout, RETENTION, clock);
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(service).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  PipelineDataGrpc.PipelineDataBlockingStub blocking() {
    return PipelineDataGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /** Commits an attempt holding one file. */
  void commit(AttemptId attempt, String toTask, int partition, byte[] bytes) throws IOException {
    try (PendingAttempt pending = layout.begin(attempt)) {
      Files.write(pending.file(toTask, partition), bytes);
      pending.commit();
    }
  }

  static FetchRequest.Builder request(AttemptId attempt, String toTask, int partition) {
    return FetchRequest.newBuilder().setAppId(attempt.appId()).setTask(attempt.task())
        .setInstance(attempt.instance()).setAttempt(attempt.attempt()).setToTask(toTask).setPartition(partition);
  }

  static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    new Random(n).nextBytes(bytes);
    return bytes;
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    service.close();
  }
}
