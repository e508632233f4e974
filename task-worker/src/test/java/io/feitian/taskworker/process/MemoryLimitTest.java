package io.feitian.taskworker.process;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The watchdog kills a worker whose process tree holds more resident memory than its limit. */
class MemoryLimitTest extends SupervisorTestBase {
  /** A shell that keeps about 100 MB of 'a' in a variable, then sleeps. */
  private static final String HOG =
      "x=$(head -c 100000000 /dev/zero | tr \"\\0\" a); echo holding; sleep 1000";

  @Test
  void workerOverItsLimitIsKilledWithAMessage() throws Exception {
    Recorder events = new Recorder();
    ProcessSupervisor supervisor = startSupervisor(events);

    WorkerHandle handle = supervisor.launch(limited("w-1", 32, HOG));
    WorkerSnapshot ended = awaitEnded(handle);

    assertEquals(WorkerState.KILLED, ended.state());
    assertTrue(ended.message().matches("memory limit exceeded: \\d+ MiB > 32 MiB"), ended.message());
    int used = Integer.parseInt(ended.message().replaceAll("memory limit exceeded: (\\d+) MiB.*", "$1"));
    assertTrue(used > 32, ended.message());
    awaitGone(ended.pid());
    events.awaitState("w-1", WorkerState.KILLED);
    assertEquals(List.of(WorkerState.STARTING, WorkerState.RUNNING, WorkerState.KILLED), events.states("w-1"));
  }

  @Test
  void memoryOfChildrenCountsTowardsTheLimit() throws Exception {
    ProcessSupervisor supervisor = startSupervisor(new Recorder());

    // The hog is a grandchild of the wrapper; the wrapper and its child shell are small.
    WorkerHandle handle = supervisor.launch(limited("w-1", 32, "sh -c '" + HOG + "'; exit 0"));
    WorkerSnapshot ended = awaitEnded(handle);

    assertEquals(WorkerState.KILLED, ended.state());
    assertTrue(ended.message().startsWith("memory limit exceeded"), ended.message());
  }

  @Test
  void workerUnderItsLimitKeepsRunning() throws Exception {
    ProcessSupervisor supervisor = startSupervisor(new Recorder());

    WorkerHandle handle = supervisor.launch(limited("w-1", 256, HOG));
    await().atMost(DEADLINE).until(() -> java.nio.file.Files.exists(workRoot().resolve("w-1/stdout.log"))
        && java.nio.file.Files.readString(workRoot().resolve("w-1/stdout.log")).contains("holding"));

    // Several watchdog periods (100 ms) with 100 MB held under a 256 MiB limit.
    await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3))
        .until(() -> handle.snapshot().state() == WorkerState.RUNNING);
  }

  private static LaunchRequest limited(String workerId, long limitMib, String script) {
    return new LaunchRequest(workerId, "app-1", 42, "hog", List.of("/bin/sh", "-c", script), Map.of(), limitMib);
  }
}
