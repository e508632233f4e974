package io.feitian.service.partition;

/**
 * One partition as the table holds it. {@code owner} is empty exactly when
 * it is UNASSIGNED; {@code epoch} grows with every change of owner (and with
 * a split), and a worker serves the partition only at the current epoch.
 * {@code next} is, while UNLOADING, the worker it moves to (empty: none) and,
 * while SPLITTING, the key it is split at.
 */
public record Partition(String id, KeyRange range, String owner, long epoch, PartitionState state, String next) {
  public boolean owned() {
    return !owner.isEmpty();
  }
}
