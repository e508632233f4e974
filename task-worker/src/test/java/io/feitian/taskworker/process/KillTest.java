package io.feitian.taskworker.process;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Killing workers: the whole process tree, SIGTERM then SIGKILL after the grace. */
class KillTest extends SupervisorTestBase {

  @Test
  void killTerminatesTheWorkerAndTheWrapperRecordsTheSignalStatus() throws Exception {
    Recorder events = new Recorder();
    ProcessSupervisor supervisor = startSupervisor(events);
    WorkerHandle handle = supervisor.launch(request("w-1", "sleep", "1000"));
    long pid = handle.snapshot().pid();
    // A signal reaches only processes that exist: wait for sleep to run under the wrapper.
    await().atMost(DEADLINE).until(() -> ProcFs.scan().tree(pid, pid).size() >= 2);

    WorkerSnapshot killed = supervisor.kill("w-1", Duration.ofSeconds(10));

    assertEquals(WorkerState.KILLED, killed.state());
    assertEquals("killed on request", killed.message());
    // sleep died of SIGTERM; the wrapper outlived it (its TERM trap) and recorded 128 + 15.
    assertEquals(OptionalInt.of(143), killed.exitCode());
    assertTrue(!ProcFs.isAlive(pid));
    events.awaitState("w-1", WorkerState.KILLED);
    assertEquals(List.of(WorkerState.STARTING, WorkerState.RUNNING, WorkerState.KILLED), events.states("w-1"));
  }

  @Test
  void killRightAfterLaunchDoesNotWaitForTheGrace() throws Exception {
    ProcessSupervisor supervisor = startSupervisor(new Recorder());

    for (int i = 0; i < 10; i++) {
      WorkerHandle handle = supervisor.launch(request("w-" + i, "sleep", "1000"));
      CompletableFuture<WorkerSnapshot> killed = supervisor.killAsync(handle.workerId(), Duration.ofMinutes(5));
      WorkerSnapshot ended = killed.get(DEADLINE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(WorkerState.KILLED, ended.state());
      awaitGone(ended.pid());
    }
  }

  @Test
  void killReachesGrandchildren() throws Exception {
    ProcessSupervisor supervisor = startSupervisor(new Recorder());
    WorkerHandle handle = supervisor.launch(shell("w-1", "sleep 1000 & echo $! > child.pid; wait"));
    long grandchild = awaitPidIn(workRoot().resolve("w-1/work/child.pid"));
    assertTrue(ProcFs.isAlive(grandchild));

    WorkerSnapshot killed = handle.kill(Duration.ofSeconds(10));

    assertEquals(WorkerState.KILLED, killed.state());
    awaitGone(grandchild);
    awaitGone(killed.pid());
  }

  @Test
  void killReachesDescendantsThatLeftTheProcessGroup() throws Exception {
    ProcessSupervisor supervisor = startSupervisor(new Recorder());
    // setsid without --fork keeps sh as the parent but moves the sleep to a session of its own.
    WorkerHandle handle =
        supervisor.launch(shell("w-1", "setsid sleep 1000 & echo $! > child.pid; wait"));
    long escaped = awaitPidIn(workRoot().resolve("w-1/work/child.pid"));
    await().atMost(DEADLINE).until(() -> ProcFs.stat(escaped).map(s -> s.pgrp() == escaped).orElse(false));

    handle.kill(Duration.ofSeconds(10));

    awaitGone(escaped);
  }

  @Test
  void programIgnoringSigtermIsSigkilledAfterTheGrace() throws Exception {
    ProcessSupervisor supervisor = startSupervisor(new Recorder());
    Path ready = workRoot().resolve("w-1/work/ready");
    WorkerHandle handle =
        supervisor.launch(shell("w-1", "trap '' TERM; sleep 1000 & echo $! > ready; wait"));
    long sleeper = awaitPidIn(ready);

    CompletableFuture<WorkerSnapshot> killed = supervisor.killAsync("w-1", Duration.ofSeconds(3));

    // SIGTERM is ignored: still alive well into the grace.
    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2))
        .until(() -> ProcFs.isAlive(sleeper) && !killed.isDone());
    WorkerSnapshot ended = killed.get(DEADLINE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(WorkerState.KILLED, ended.state());
    assertEquals(OptionalInt.empty(), ended.exitCode(), "SIGKILL leaves the wrapper no time to record");
    awaitGone(sleeper);
    assertTrue(Files.exists(ready));
  }

  @Test
  void killingAnEndedWorkerIsANoOpAndUnknownIdsAreRejected() throws Exception {
    ProcessSupervisor supervisor = startSupervisor(new Recorder());
    WorkerSnapshot exited = awaitEnded(supervisor.launch(shell("w-1", "exit 4")));

    WorkerSnapshot again = supervisor.kill("w-1", Duration.ZERO);

    assertEquals(exited, again);
    assertEquals(WorkerState.EXITED, again.state());
    assertThrows(NoSuchElementException.class, () -> supervisor.kill("nobody", Duration.ZERO));
  }

  @Test
  void killAllKillsEveryRunningWorkerAndLeavesEndedOnesAlone() throws Exception {
    ProcessSupervisor supervisor = startSupervisor(new Recorder());
    WorkerHandle first = supervisor.launch(request("w-1", "sleep", "1000"));
    WorkerHandle second = supervisor.launch(request("w-2", "sleep", "1000"));
    WorkerSnapshot done = awaitEnded(supervisor.launch(shell("w-3", "exit 0")));

    List<WorkerSnapshot> killed = supervisor.killAll(Duration.ofSeconds(5));

    assertEquals(List.of("w-1", "w-2"), killed.stream().map(WorkerSnapshot::workerId).toList());
    assertTrue(killed.stream().allMatch(s -> s.state() == WorkerState.KILLED), killed.toString());
    awaitGone(first.snapshot().pid());
    awaitGone(second.snapshot().pid());
    assertEquals(done, supervisor.snapshot("w-3").orElseThrow());
  }

  @Test
  void closingTheSupervisorDoesNotKillWorkers() throws Exception {
    ProcessSupervisor supervisor = startSupervisor(new Recorder());
    WorkerHandle handle = supervisor.launch(request("w-1", "sleep", "1000"));

    supervisor.close();

    assertTrue(ProcFs.isAlive(handle.snapshot().pid()));
    assertSame(WorkerState.RUNNING, handle.snapshot().state());
  }
}
