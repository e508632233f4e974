package io.feitian.taskworker;

import io.feitian.common.lifecycle.DaemonLauncher;
import io.feitian.common.zk.ZkSettings;

/** Entry point of the task-worker daemon. */
public final class TaskWorkerMain {
  private TaskWorkerMain() {}

  public static void main(String[] args) {
    DaemonLauncher.run("task-worker", "task-worker", args, TaskWorker::new, config -> {
      TaskWorkerSettings s = TaskWorkerSettings.from(config);
      return s.advertised(s.port(), ZkSettings.from(config).connect()).comment();
    });
  }
}
