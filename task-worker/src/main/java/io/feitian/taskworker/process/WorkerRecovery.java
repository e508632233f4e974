package io.feitian.taskworker.process;

import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Decides what a worker recorded by an earlier incarnation of the task-worker is now: still running
 * (adopt it) or ended (and how).
 */
final class WorkerRecovery {
  private WorkerRecovery() {}

  /**
   * The record to continue with: RUNNING when the recorded process is alive and is the same process
   * (same kernel start time), otherwise a final record. Final records are returned unchanged.
   */
  static WorkerRecord recover(WorkerDirectory dir, WorkerRecord recorded, long nowMs) {
    if (recorded.state().isEnded()) {
      return recorded;
    }
    WorkerRecord record = recorded;
    if (record.state() == WorkerState.STARTING) {
      record = findStartedWrapper(dir, record);
      if (record.state() == WorkerState.STARTING) {
        return record.ended(WorkerState.FAILED_TO_START, dir.readExitStatus(),
            "the task-worker stopped while starting this worker; the program did not run", nowMs);
      }
    }
    if (ProcFs.isSameProcessAlive(record.pid(), record.startTicks())) {
      return record;
    }
    OptionalInt status = dir.readExitStatus();
    if (record.killRequested()) {
      return record.ended(WorkerState.KILLED, status, record.killReason(), nowMs);
    }
    if (status.isPresent()) {
      return record.ended(WorkerState.EXITED, status, "", nowMs);
    }
    String why =
        ProcFs.isAlive(record.pid())
            ? "pid " + record.pid() + " now belongs to another process (its start time differs from"
                + " the recorded one); the worker ended unobserved and recorded no exit status"
            : "the worker ended unobserved and recorded no exit status (killed by a signal?)";
    return record.ended(WorkerState.KILLED, OptionalInt.empty(), why, nowMs);
  }

  /**
   * The task-worker may have died after starting the wrapper and before recording its pid. The
   * wrapper records its own pid; it is believed when that process carries this worker's
   * identity in its initial environment.
   */
  private static WorkerRecord findStartedWrapper(WorkerDirectory dir, WorkerRecord record) {
    OptionalLong pid = dir.readWrapperPid();
    if (pid.isEmpty() || pid.getAsLong() <= 0) {
      return record;
    }
    List<String> environ = ProcFs.environ(pid.getAsLong());
    boolean ours =
        environ.contains(LaunchRequest.ENV_WORKER_ID + "=" + record.workerId())
            && environ.contains(LaunchRequest.ENV_WORK_DIR + "=" + dir.workDir());
    if (!ours) {
      // Started and gone (or the pid was reused): not STARTING any more, and not adoptable.
      return record.running(pid.getAsLong(), -1, -1);
    }
    long ticks = ProcFs.stat(pid.getAsLong()).map(ProcStat::startTicks).orElse(-1L);
    return record.running(pid.getAsLong(), ticks, -1);
  }
}
