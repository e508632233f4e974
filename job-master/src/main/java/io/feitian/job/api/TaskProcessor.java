package io.feitian.job.api;

/**
 * The code of a thread-mode task. A Task Worker creates one instance of the
 * class (public, with a public no-argument constructor) per task instance
 * attempt and calls {@link #process} in one of its threads; several run at
 * once in one JVM, so share nothing mutable through static fields.
 *
 * <p>Returning normally commits the attempt's output; throwing fails the
 * attempt (it is retried elsewhere up to the task's max_attempts). An attempt
 * may be run more than once and may be cancelled (its thread interrupted):
 * only the output of the attempt that commits first is used.
 */
public interface TaskProcessor {
  void process(TaskContext context) throws Exception;
}
