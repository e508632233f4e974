package io.feitian.job.grants;

import io.feitian.proto.fuxi.v1.Grant;

/** What a {@link JobGrants} decision asks the job-master to carry out, in the order returned. */
public sealed interface Effect {
  /** Record the grant (a restarted master claims it) and start a Task Worker in it. */
  record Launch(Grant grant) implements Effect {}

  /** Give a grant just offered straight back to Fuxi: it was not taken, nor recorded. */
  record Decline(long grantId, String why) implements Effect {}

  /** Give a held grant back to Fuxi and forget its record. */
  record ReturnGrant(long grantId, String why) implements Effect {}

  /**
   * Fuxi revoked a held grant: forget its record and end the worker in it (its attempts run again;
   * when its node was lost, they were killed with it rather than failed).
   */
  record DropRevoked(long grantId, boolean nodeLost, String detail) implements Effect {}

  /** Ask Fuxi for as many workers as the task needs now, or withdraw what it no longer needs. */
  record AdjustDemand(String task) implements Effect {}

  /** Ask the node's task-worker which workers of the job it runs; answer with {@link JobGrants#workersListed}. */
  record AskForWorkers(String nodeAddress) implements Effect {}

  /** Call {@link JobGrants#tick} at this time (not before). */
  record WakeAt(long at) implements Effect {}

  /** The hold on new work is over: hand out work to every ready worker. */
  record ResumeWork() implements Effect {}

  /** A held grant's node was lost: outputs that lived only there must be made again. */
  record NodeLost(String nodeAddress, String detail) implements Effect {}

  /** Too many Task Workers could not be started: the job fails. */
  record FailJob(String why) implements Effect {}

  /** A worker said hello for a grant this master does not hold for its task: its stream is refused. */
  record RefuseWorker(String why) implements Effect {}
}
