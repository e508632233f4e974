package io.feitian.taskworker.process;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A handle on one worker of a {@link ProcessSupervisor}. Cheap; holds no resources. */
public final class WorkerHandle {
  private final ProcessSupervisor supervisor;
  private final SupervisedWorker worker;

  WorkerHandle(ProcessSupervisor supervisor, SupervisedWorker worker) {
    this.supervisor = supervisor;
    this.worker = worker;
  }

  public String workerId() {
    return worker.workerId();
  }

  /** The worker's current snapshot; still answers after the worker was forgotten. */
  public WorkerSnapshot snapshot() {
    return worker.snapshot();
  }

  /**
   * Completes with the final snapshot when the worker ends (already complete for an ended worker).
   * Never completes for a worker still running when its supervisor is closed.
   */
  public CompletableFuture<WorkerSnapshot> onEnded() {
    return worker.whenEnded();
  }

  /** Same as {@link ProcessSupervisor#kill(String, Duration)} for this worker. */
  public WorkerSnapshot kill(Duration grace) {
    return supervisor.kill(workerId(), grace);
  }

  @Override
  public String toString() {
    return "WorkerHandle[" + worker.snapshot() + "]";
  }
}
