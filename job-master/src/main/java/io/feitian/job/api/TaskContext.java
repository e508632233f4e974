package io.feitian.job.api;

import java.util.Map;
import java.util.Set;

/** What an instance reads and writes. Not thread-safe: use it from the thread that called process. */
public interface TaskContext {
  String jobId();

  String task();

  /** This instance's number, from 0. */
  int instance();

  /** Which attempt of the instance this is, from 0. */
  int attempt();

  /** The task's `config` from the job description. */
  Map<String, String> config();

  /**
   * The instance's main input: its input split if the task reads files,
   * else its one-to-one or scatter-gather pipeline input, else everything its
   * broadcast inputs hold. Each record once, read lazily.
   */
  Iterable<Record> input();

  /** Upstream tasks this instance reads through pipelines. */
  Set<String> upstreamTasks();

  /** Everything this instance reads from one upstream task (its partition, or all of a broadcast). */
  Iterable<Record> input(String upstreamTask);

  /**
   * Writes a record to every downstream pipeline (partitioned as each says)
   * or, for a task with none, to the job's output.
   */
  void emit(Record record);

  default void emit(String key, String value) {
    emit(new Record(key, value));
  }

  /** Appends a line to this attempt's log (shown by `feitian job logs`). */
  void log(String line);
}
