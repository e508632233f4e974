package io.feitian.taskworker.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SupervisedWorkerTest {
  @TempDir Path tmp;

  /**
   * A node's heartbeat lists every worker; a change being written (here: a publisher that does not
   * return, standing in for a disk write that takes seconds on a loaded machine) must not hold it up.
   */
  @Test
  void aSnapshotIsReadWhileAChangeIsStillBeingWritten() throws Exception {
    WorkerDirectory dir = new WorkerDirectory(tmp.resolve("w-1"));
    Files.createDirectories(dir.root());
    SupervisedWorker worker = new SupervisedWorker(dir,
        WorkerRecord.starting(LaunchRequest.of("w-1", "app", 1, "copy", List.of("true")), 0));
    CountDownLatch publishing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<WorkerSnapshot> change = CompletableFuture.supplyAsync(() ->
        worker.update(r -> r.running(4242, 1, 1), s -> {
          publishing.countDown();
          awaitQuietly(release);
        }));
    try {
      assertThat(publishing.await(10, TimeUnit.SECONDS)).as("the change reached its publisher").isTrue();

      WorkerSnapshot seen = CompletableFuture.supplyAsync(worker::snapshot).get(5, TimeUnit.SECONDS);

      assertThat(seen.state()).isEqualTo(WorkerState.RUNNING);
      assertThat(worker.record().pid()).isEqualTo(4242);
    } finally {
      release.countDown();
    }
    assertThat(change.get(10, TimeUnit.SECONDS).state()).isEqualTo(WorkerState.RUNNING);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
