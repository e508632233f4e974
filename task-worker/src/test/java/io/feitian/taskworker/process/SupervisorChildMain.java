package io.feitian.taskworker.process;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in task-worker for {@link TaskWorkerCrashTest}: launches two workers, prints
 * {@code READY <pid of long> <pid of gated>} and waits to be killed.
 */
public final class SupervisorChildMain {
  private SupervisorChildMain() {}

  public static void main(String[] args) throws Exception {
    ProcessSupervisor supervisor = ProcessSupervisor.builder(Path.of(args[0])).build();
    supervisor.start();
    WorkerHandle sleeper =
        supervisor.launch(LaunchRequest.of("long", "app-1", 1, "long", List.of("sleep", "1000")));
    WorkerHandle gated =
        supervisor.launch(
            LaunchRequest.of("gated", "app-1", 2, "gated",
                List.of("/bin/sh", "-c", "while [ ! -e release ]; do sleep 0.05; done; exit 7")));
    System.out.println("READY " + sleeper.snapshot().pid() + " " + gated.snapshot().pid());
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
