package io.feitian.taskworker.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A second supervisor on the same work root takes over from a closed one: it adopts what still runs,
 * reports what ended meanwhile, and refuses to adopt a pid that now belongs to another process.
 */
class RestartSurvivalTest extends SupervisorTestBase {
  private static final String GATED_EXIT_5 = "while [ ! -e release ]; do sleep 0.05; done; exit 5";

  @Test
  void secondSupervisorAdoptsRunningWorkersAndCanKillThem() throws Exception {
    ProcessSupervisor first = startSupervisor(new Recorder());
    long sleeper = first.launch(request("long", "sleep", "1000")).snapshot().pid();
    first.launch(shell("short", "sleep 1; exit 7"));
    long gated = first.launch(shell("gated", GATED_EXIT_5)).snapshot().pid();
    first.close();
    assertTrue(ProcFs.isAlive(sleeper), "closing the supervisor must not kill its workers");

    Recorder events = new Recorder();
    ProcessSupervisor second = startSupervisor(events);

    WorkerSnapshot adopted = second.snapshot("long").orElseThrow();
    assertEquals(WorkerState.RUNNING, adopted.state());
    assertEquals(sleeper, adopted.pid());
    assertEquals(WorkerState.RUNNING, second.snapshot("gated").orElseThrow().state());
    assertEquals(OptionalInt.of(7), events.awaitState("short", WorkerState.EXITED).exitCode());

    Files.createFile(workRoot().resolve("gated/work/release"));
    assertEquals(OptionalInt.of(5), events.awaitState("gated", WorkerState.EXITED).exitCode());
    assertEquals(List.of(WorkerState.RUNNING, WorkerState.EXITED), events.states("gated"));
    awaitGone(gated);

    WorkerSnapshot killed = second.kill("long", Duration.ofSeconds(10));
    assertEquals(WorkerState.KILLED, killed.state());
    awaitGone(sleeper);
  }

  @Test
  void workerThatEndedWhileNobodyWatchedIsReportedWithItsRecordedStatus() throws Exception {
    ProcessSupervisor first = startSupervisor(new Recorder());
    long pid = first.launch(shell("gated", GATED_EXIT_5)).snapshot().pid();
    first.close();
    Files.createFile(workRoot().resolve("gated/work/release"));
    awaitGone(pid);

    Recorder events = new Recorder();
    ProcessSupervisor second = startSupervisor(events);

    WorkerSnapshot ended = second.snapshot("gated").orElseThrow();
    assertEquals(WorkerState.EXITED, ended.state());
    assertEquals(OptionalInt.of(5), ended.exitCode());
    events.awaitState("gated", WorkerState.EXITED);
    assertEquals(List.of(WorkerState.EXITED), events.states("gated"));
    assertEquals("EXITED", new WorkerDirectory(workRoot().resolve("gated")).readRecord().orElseThrow().state().name());
  }

  @Test
  void endedWorkersStayListedUntilForgotten() throws Exception {
    ProcessSupervisor first = startSupervisor(new Recorder());
    awaitEnded(first.launch(shell("done", "exit 2")));
    first.close();

    ProcessSupervisor second = startSupervisor(new Recorder());
    assertEquals(List.of("done"), second.list().stream().map(WorkerSnapshot::workerId).toList());
    assertEquals(OptionalInt.of(2), second.list().get(0).exitCode());

    second.forget("done");
    assertTrue(second.list().isEmpty());
    assertFalse(Files.exists(workRoot().resolve("done")));
  }

  @Test
  void pidWhoseStartTimeDiffersIsNotAdopted() throws Exception {
    ProcessSupervisor first = startSupervisor(new Recorder());
    long sleeper = first.launch(request("long", "sleep", "1000")).snapshot().pid();
    track(sleeper); // before the record lies about it
    first.close();
    editRecord("long", r -> new WorkerRecord(r.workerId(), r.appId(), r.grantId(), r.name(), r.argv(),
        r.memoryLimitMib(), r.state(), r.pid(), r.pgid(), r.startTicks() + 1, r.startInstantMs(),
        r.startedAtMs(), r.endedAtMs(), r.exitCode(), r.message(), r.killReason()));

    ProcessSupervisor second = startSupervisor(new Recorder());

    WorkerSnapshot snapshot = second.snapshot("long").orElseThrow();
    assertEquals(WorkerState.KILLED, snapshot.state());
    assertEquals(OptionalInt.empty(), snapshot.exitCode());
    assertTrue(snapshot.message().contains("another process"), snapshot.message());
    assertTrue(ProcFs.isAlive(sleeper), "a process that is not ours must not be touched");
  }

  @Test
  void wrapperStartedJustBeforeACrashIsFoundThroughItsPidFile() throws Exception {
    ProcessSupervisor first = startSupervisor(new Recorder());
    long sleeper = first.launch(request("long", "sleep", "1000")).snapshot().pid();
    first.close();
    // As if the task-worker died after starting the wrapper and before recording its pid.
    editRecord("long", r -> WorkerRecord.starting(
        new LaunchRequest(r.workerId(), r.appId(), r.grantId(), r.name(), r.argv(), Map.of(), 0), r.startedAtMs()));
    awaitPidIn(workRoot().resolve("long/pid"));

    ProcessSupervisor second = startSupervisor(new Recorder());

    WorkerSnapshot adopted = second.snapshot("long").orElseThrow();
    assertEquals(WorkerState.RUNNING, adopted.state());
    assertEquals(sleeper, adopted.pid());
    assertEquals(WorkerState.KILLED, second.kill("long", Duration.ZERO).state());
    awaitGone(sleeper);
  }

  @Test
  void launchInterruptedBeforeTheWrapperRanEndsAsFailedToStart() throws Exception {
    WorkerDirectory dir = new WorkerDirectory(workRoot().resolve("half"));
    Files.createDirectories(workRoot());
    dir.create();
    dir.writeRecord(WorkerRecord.starting(request("half", "sleep", "1000"), 1));

    ProcessSupervisor second = startSupervisor(new Recorder());

    WorkerSnapshot snapshot = second.snapshot("half").orElseThrow();
    assertEquals(WorkerState.FAILED_TO_START, snapshot.state());
    assertTrue(snapshot.message().contains("stopped while starting"), snapshot.message());
  }

  @Test
  void killPendingAtCloseIsFinishedByTheNextSupervisor() throws Exception {
    ProcessSupervisor first = startSupervisor(new Recorder());
    WorkerHandle stubborn = first.launch(shell("stubborn", "trap '' TERM; sleep 1000 & echo $! > ready; wait"));
    long sleeper = awaitPidIn(workRoot().resolve("stubborn/work/ready"));
    first.killAsync("stubborn", Duration.ofMinutes(10));
    first.close();
    assertTrue(ProcFs.isAlive(stubborn.snapshot().pid()));

    Recorder events = new Recorder();
    startSupervisor(events);

    WorkerSnapshot killed = events.awaitState("stubborn", WorkerState.KILLED);
    assertEquals("killed on request", killed.message());
    awaitGone(sleeper);
  }

  @Test
  void directoriesThatAreNotWorkersAreLeftAlone() throws Exception {
    Path stray = Files.createDirectories(workRoot().resolve("stray"));
    Files.writeString(stray.resolve("note.txt"), "not a worker");
    Path garbled = Files.createDirectories(workRoot().resolve("garbled"));
    Files.writeString(garbled.resolve(WorkerDirectory.RECORD_FILE), "format=99\n");

    ProcessSupervisor supervisor = startSupervisor(new Recorder());

    assertTrue(supervisor.list().isEmpty());
    assertTrue(Files.exists(stray.resolve("note.txt")));
    assertTrue(Files.exists(garbled.resolve(WorkerDirectory.RECORD_FILE)));
  }

  private void editRecord(String workerId, UnaryOperator<WorkerRecord> edit) throws Exception {
    WorkerDirectory dir = new WorkerDirectory(workRoot().resolve(workerId));
    dir.writeRecord(edit.apply(dir.readRecord().orElseThrow()));
  }
}
