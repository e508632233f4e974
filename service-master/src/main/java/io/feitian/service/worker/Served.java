package io.feitian.service.worker;

/**
 * A request's hold on the partition serving its key: while it is open the
 * partition is neither unloaded nor split. Close it when the request is done.
 */
public interface Served extends AutoCloseable {
  PartitionInfo partition();

  @Override
  void close();
}
