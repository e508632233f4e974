package io.feitian.service.partition;

/** Where a partition is in its life with one owner. */
public enum PartitionState {
  /** No worker owns it; nobody may serve it. */
  UNASSIGNED,
  /** Its owner was told to load it at its epoch and has not confirmed yet. */
  LOADING,
  /** Its owner serves it at its epoch. */
  SERVING,
  /** Its owner was told to unload it (to move it, or on request) and has not confirmed yet. */
  UNLOADING,
  /** Its owner was told to split it and has not confirmed yet. */
  SPLITTING
}
