package io.feitian.dayu.rollout;

/** Where a rollout is. */
public enum Status {
  /** Batches are being run (perhaps paused or awaiting approval). */
  RUNNING,
  /** Every node that was up is at the target; nodes away are repaired when they return. */
  SUCCEEDED,
  /** Stopped by failures beyond the threshold, with manual rollback: waits for the operator. */
  FAILED,
  /** Stopped by the operator. */
  ABORTED,
  /** Touched nodes are being returned to their previous versions. */
  ROLLING_BACK,
  /** Every touched node that was up is back at its previous version. */
  ROLLED_BACK
}
