package io.feitian.taskworker.process;

/** Where a worker is in its life. The last three states are final. */
public enum WorkerState {
  /** Accepted; its directory exists, its process is being started. */
  STARTING,
  /** Its process runs (it was started by this supervisor or adopted from an earlier one). */
  RUNNING,
  /** The program ended on its own; the snapshot carries its exit code. */
  EXITED,
  /**
   * The supervisor killed it (on request or over its memory limit), or it ended without recording an
   * exit status (killed by a signal while nobody was watching, or unknown after a restart).
   */
  KILLED,
  /** The program could not be started, for example because no such executable exists. */
  FAILED_TO_START;

  /** True for the final states: the worker's process group is gone and its state will not change. */
  public boolean isEnded() {
    return this == EXITED || this == KILLED || this == FAILED_TO_START;
  }
}
