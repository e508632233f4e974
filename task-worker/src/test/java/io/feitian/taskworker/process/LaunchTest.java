package io.feitian.taskworker.process;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Launching real programs: exit codes, logs, environment, working directory, bad programs. */
class LaunchTest extends SupervisorTestBase {

  @Test
  void exitCodeLogsEnvironmentAndWorkingDirectory() throws Exception {
    Recorder events = new Recorder();
    ProcessSupervisor supervisor = startSupervisor(events);
    LaunchRequest request =
        new LaunchRequest(
            "w-1",
            "app-1",
            42,
            "echo",
            List.of(
                "/bin/sh",
                "-c",
                "echo hi; echo err >&2;"
                    + " echo \"$FEITIAN_WORKER_ID $FEITIAN_APP_ID $FEITIAN_GRANT_ID $FEITIAN_WORK_DIR $EXTRA\" > env.txt;"
                    + " pwd -P > cwd.txt; exit 3"),
            Map.of("EXTRA", "from-request"),
            0);

    WorkerHandle handle = supervisor.launch(request);
    WorkerSnapshot ended = awaitEnded(handle);

    Path dir = workRoot().resolve("w-1");
    Path work = dir.resolve("work");
    assertEquals(WorkerState.EXITED, ended.state());
    assertEquals(OptionalInt.of(3), ended.exitCode());
    assertEquals(work, ended.workDir());
    assertTrue(ended.pid() > 0);
    assertTrue(ended.endedAtMs() >= ended.startedAtMs());
    assertEquals("hi\n", Files.readString(dir.resolve("stdout.log")));
    assertTrue(Files.readString(dir.resolve("stderr.log")).contains("err"));
    assertEquals("w-1 app-1 42 " + work + " from-request", Files.readString(work.resolve("env.txt")).trim());
    assertEquals(work.toRealPath().toString(), Files.readString(work.resolve("cwd.txt")).trim());
    assertEquals("3", Files.readString(dir.resolve("exit_status")).trim());
    assertEquals(List.of(ended), supervisor.list());
  }

  @Test
  void theProgramsOwnPidIsKnownNotOnlyItsWrappers() throws Exception {
    ProcessSupervisor supervisor = startSupervisor(new Recorder());
    // The program (a shell that execs sleep) writes its own pid.
    WorkerHandle handle = supervisor.launch(shell("w-1", "echo $$ > program.pid; exec sleep 30"));
    long program = awaitPidIn(workRoot().resolve("w-1/work/program.pid"));
    await("the program's pid").atMost(DEADLINE).until(() -> supervisor.programPid("w-1").isPresent());
    assertEquals(program, supervisor.programPid("w-1").getAsLong());
    assertTrue(program != handle.snapshot().pid(), "the wrapper's pid is the group's, not the program's");
    handle.kill(Duration.ofSeconds(5));
  }

  @Test
  void listenersSeeStartingRunningExitedInOrder() throws Exception {
    Recorder events = new Recorder();
    ProcessSupervisor supervisor = startSupervisor(events);

    awaitEnded(supervisor.launch(shell("w-1", "exit 0")));

    events.awaitState("w-1", WorkerState.EXITED);
    assertEquals(
        List.of(WorkerState.STARTING, WorkerState.RUNNING, WorkerState.EXITED), events.states("w-1"));
  }

  @Test
  void programNotInPathFailsToStartNamingIt() throws Exception {
    Recorder events = new Recorder();
    ProcessSupervisor supervisor = startSupervisor(events);

    WorkerSnapshot ended = awaitEnded(supervisor.launch(request("w-1", "no-such-program-xyz", "arg")));

    assertEquals(WorkerState.FAILED_TO_START, ended.state());
    assertTrue(ended.message().contains("no-such-program-xyz"), ended.message());
    assertEquals(0, ended.pid());
    events.awaitState("w-1", WorkerState.FAILED_TO_START);
    assertEquals(List.of(WorkerState.STARTING, WorkerState.FAILED_TO_START), events.states("w-1"));
  }

  @Test
  void missingOrNonExecutablePathFailsToStartNamingIt() throws Exception {
    ProcessSupervisor supervisor = startSupervisor(new Recorder());
    Path notExecutable = Files.writeString(tmp.resolve("plain.txt"), "not a program");

    WorkerSnapshot missing = awaitEnded(supervisor.launch(request("w-1", "/nonexistent/prog")));
    WorkerSnapshot plain = awaitEnded(supervisor.launch(request("w-2", notExecutable.toString())));

    assertEquals(WorkerState.FAILED_TO_START, missing.state());
    assertTrue(missing.message().contains("/nonexistent/prog"), missing.message());
    assertEquals(WorkerState.FAILED_TO_START, plain.state());
    assertTrue(plain.message().contains(notExecutable.toString()), plain.message());
  }

  @Test
  void programIsFoundInThePathOfTheRequestedEnvironment() throws Exception {
    ProcessSupervisor supervisor = startSupervisor(new Recorder());
    Path bin = Files.createDirectory(tmp.resolve("bin"));
    Path tool = Files.writeString(bin.resolve("my-tool"), "#!/bin/sh\necho tool ran\n");
    assertTrue(tool.toFile().setExecutable(true));

    WorkerHandle handle =
        supervisor.launch(
            new LaunchRequest("w-1", "a", 1, "tool", List.of("my-tool"), Map.of("PATH", bin + ":/usr/bin:/bin"), 0));

    assertEquals(OptionalInt.of(0), awaitEnded(handle).exitCode());
    assertEquals("tool ran\n", Files.readString(workRoot().resolve("w-1/stdout.log")));
  }

  @Test
  void onlyWhitelistedHostVariablesAreInherited() throws Exception {
    ProcessSupervisor supervisor =
        newSupervisor(new Recorder(), ProcessSupervisor.builder(workRoot()).inheritedEnvironment(Set.of("PATH")));
    supervisor.start();

    awaitEnded(supervisor.launch(shell("w-1", "env > env.txt")));

    List<String> env = Files.readAllLines(workRoot().resolve("w-1/work/env.txt"));
    assertTrue(env.stream().anyMatch(line -> line.startsWith("PATH=")), env.toString());
    assertFalse(env.stream().anyMatch(line -> line.startsWith("HOME=")), env.toString());
    assertTrue(env.contains("FEITIAN_WORKER_ID=w-1"), env.toString());
  }

  @Test
  void metadataIsPersistedWithPidAndKernelStartTime() throws Exception {
    ProcessSupervisor supervisor = startSupervisor(new Recorder());
    WorkerHandle handle = supervisor.launch(request("w-1", "sleep", "1000"));
    long pid = handle.snapshot().pid();

    Properties running = load(workRoot().resolve("w-1/worker.properties"));
    assertEquals("RUNNING", running.getProperty("state"));
    assertEquals(Long.toString(pid), running.getProperty("pid"));
    assertEquals(Long.toString(pid), running.getProperty("pgid"));
    assertEquals(
        Long.toString(ProcFs.stat(pid).orElseThrow().startTicks()), running.getProperty("startTicks"));
    assertEquals("sleep", running.getProperty("argv.0"));
    assertEquals("1000", running.getProperty("argv.1"));
    // start() returns once setsid(1) is executing, maybe before it called setsid(2).
    org.awaitility.Awaitility.await("the wrapper leads its own process group").atMost(DEADLINE)
        .until(() -> ProcFs.stat(pid).orElseThrow().pgrp() == pid);
    assertEquals(pid, ProcFs.stat(pid).orElseThrow().pgrp());

    handle.kill(java.time.Duration.ZERO);
    assertEquals("KILLED", load(workRoot().resolve("w-1/worker.properties")).getProperty("state"));
  }

  @Test
  void processesLeftBehindByAnEndedWorkerAreKilled() throws Exception {
    ProcessSupervisor supervisor = startSupervisor(new Recorder());

    WorkerHandle handle = supervisor.launch(shell("w-1", "sleep 1000 & echo $! > child.pid; exit 0"));
    long child = awaitPidIn(workRoot().resolve("w-1/work/child.pid"));
    WorkerSnapshot ended = awaitEnded(handle);

    assertEquals(WorkerState.EXITED, ended.state());
    awaitGone(child);
  }

  @Test
  void workerIdsAreUniqueAndEndedWorkersAreForgottenWithTheirDirectory() throws Exception {
    ProcessSupervisor supervisor = startSupervisor(new Recorder());
    WorkerHandle running = supervisor.launch(request("w-1", "sleep", "1000"));

    assertThrows(IllegalStateException.class, () -> supervisor.launch(request("w-1", "true")));
    assertThrows(IllegalStateException.class, () -> supervisor.forget("w-1"));
    assertThrows(NoSuchElementException.class, () -> supervisor.forget("nobody"));

    running.kill(java.time.Duration.ZERO);
    supervisor.forget("w-1");

    assertFalse(Files.exists(workRoot().resolve("w-1")));
    assertTrue(supervisor.list().isEmpty());
    assertTrue(supervisor.snapshot("w-1").isEmpty());
    assertEquals(WorkerState.KILLED, running.snapshot().state(), "a handle outlives forgetting");
    awaitEnded(supervisor.launch(request("w-1", "true")));
  }

  @Test
  void launchNeedsAStartedSupervisor() throws Exception {
    ProcessSupervisor supervisor = newSupervisor(new Recorder());
    assertThrows(IllegalStateException.class, () -> supervisor.launch(request("w-1", "true")));
    supervisor.start();
    assertThrows(IllegalStateException.class, supervisor::start);
    supervisor.close();
    assertThrows(IllegalStateException.class, () -> supervisor.launch(request("w-1", "true")));
  }

  private static Properties load(Path file) throws Exception {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    }
    return p;
  }
}
