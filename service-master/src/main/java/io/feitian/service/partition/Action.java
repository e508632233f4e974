package io.feitian.service.partition;

/** What the table asks of a worker; the worker confirms with the table's matching call. */
public sealed interface Action {
  String worker();

  String partition();

  /** Load the partition and serve it at this epoch; confirm with {@link PartitionTable#loaded}. */
  record Load(String worker, String partition, KeyRange range, long epoch) implements Action {}

  /** Stop serving the partition (drop it or keep its data for a later load); confirm with {@link PartitionTable#unloaded}. */
  record Unload(String worker, String partition, long epoch) implements Action {}

  /**
   * Stop serving the partition and divide its data at {@code at} into {@code lower} and
   * {@code upper}; confirm with {@link PartitionTable#split}, which answers with Loads of
   * both halves at {@code epoch}.
   */
  record Split(String worker, String partition, String at, String lower, String upper, long epoch) implements Action {}
}
