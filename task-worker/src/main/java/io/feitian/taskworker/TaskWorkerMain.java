package io.feitian.taskworker;

import io.feitian.common.lifecycle.DaemonLauncher;

/** Entry point of the task-worker daemon. */
public final class TaskWorkerMain {
  private TaskWorkerMain() {}

  public static void main(String[] args) {
    DaemonLauncher.run("task-worker", "task-worker", args, TaskWorker::new);
  }
}
