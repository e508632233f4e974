package io.feitian.taskworker.process;

import java.nio.file.Path;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What the supervisor knows about one worker at one moment. Immutable.
 *
 * @param workerId the caller-chosen id
 * @param appId the application the worker belongs to
 * @param grantId the resource grant the worker runs under
 * @param name a human-readable name
 * @param state where the worker is in its life
 * @param pid the pid of the worker's process-group leader (the launch wrapper, whose child is the
 *     program); 0 when no process was started
 * @param exitCode the program's exit status when known (a shell reports 128+N for death by signal N);
 *     present for {@link WorkerState#EXITED}, and for {@link WorkerState#KILLED} when the program
 *     still recorded one
 * @param workDir the program's working directory
 * @param startedAtMs when the supervisor accepted the launch, in the supervisor clock's milliseconds
 * @param endedAtMs when the supervisor learnt that the worker ended; 0 while it has not
 * @param message why the worker is in this state, for people ("memory limit exceeded: ..."); empty
 *     when there is nothing to say
 */
public record WorkerSnapshot(
    String workerId,
    String appId,
    long grantId,
    String name,
    WorkerState state,
    long pid,
    OptionalInt exitCode,
    Path workDir,
    long startedAtMs,
    long endedAtMs,
    String message) {

  public WorkerSnapshot {
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(exitCode, "exitCode");
    Objects.requireNonNull(workDir, "workDir");
    Objects.requireNonNull(message, "message");
  }

  /** True when the worker is in a final state. */
  public boolean isEnded() {
    return state.isEnded();
  }

  /**
   * True when the worker ended badly: it could not start, its program exited with a non-zero
   * status, or it was killed other than on request (over its memory limit, or by a signal from
   * outside the supervisor). A worker killed on request (its grant revoked, its master stopping it)
   * did what it was told, and a program exiting with 0 finished.
   */
  public boolean failed() {
    return switch (state) {
      case FAILED_TO_START -> true;
      case EXITED -> exitCode.orElse(0) != 0;
      case KILLED -> !message.equals(ProcessSupervisor.KILLED_ON_REQUEST);
      case STARTING, RUNNING -> false;
    };
  }
}
