package io.feitian.job.data;

/** Which partition of a pipeline a record goes to, by its key. Implementations are immutable. */
public interface KeyPartitioner {
  /** How many partitions there are (at least 1). */
  int partitions();

  /** The partition of a key, in {@code [0, partitions())}. */
  int partition(String key);
}
