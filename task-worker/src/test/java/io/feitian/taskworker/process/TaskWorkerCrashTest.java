package io.feitian.taskworker.process;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The task-worker JVM dies by SIGKILL with workers running. They survive it, and a supervisor in
 * another JVM (here: the test's), which is not their parent, adopts them, learns their exit status
 * from the wrapper's file, and kills them.
 */
class TaskWorkerCrashTest extends SupervisorTestBase {

  @Test
  void workersSurviveSigkillOfTheTaskWorkerAndAreAdoptedByTheNextOne() throws Exception {
    Path log = tmp.resolve("child-jvm.log");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process jvm =
        new ProcessBuilder(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                SupervisorChildMain.class.getName(), workRoot().toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    track(jvm.pid());
    await("child JVM ready").atMost(DEADLINE).until(() -> readyLine(log).isPresent());
    String[] ready = readyLine(log).orElseThrow().split(" ");
    long sleeper = Long.parseLong(ready[1]);
    long gated = Long.parseLong(ready[2]);
    track(sleeper);
    track(gated);

    jvm.destroyForcibly();
    assertTrue(jvm.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS));
    assertEquals(137, jvm.exitValue(), "the task-worker JVM died of SIGKILL");

    assertTrue(ProcFs.isAlive(sleeper));
    assertTrue(ProcFs.isAlive(gated));
    assertNotEquals(jvm.pid(), ProcFs.stat(sleeper).orElseThrow().ppid());

    Recorder events = new Recorder();
    ProcessSupervisor next = startSupervisor(events);

    assertEquals(List.of("gated", "long"), next.list().stream().map(WorkerSnapshot::workerId).toList());
    assertTrue(next.list().stream().allMatch(s -> s.state() == WorkerState.RUNNING), next.list().toString());
    assertEquals(sleeper, next.snapshot("long").orElseThrow().pid());

    Files.createFile(workRoot().resolve("gated/work/release"));
    assertEquals(OptionalInt.of(7), events.awaitState("gated", WorkerState.EXITED).exitCode());

    assertEquals(WorkerState.KILLED, next.kill("long", Duration.ofSeconds(10)).state());
    awaitGone(sleeper);
  }

  private static Optional<String> readyLine(Path log) {
    try {
      return Files.readAllLines(log).stream().filter(l -> l.startsWith("READY ")).findFirst();
    } catch (java.io.IOException e) {
      return Optional.empty();
    }
  }
}
