package io.feitian.common.lifecycle;

/** A long-running process component: started once, closed gracefully once. */
public interface Daemon extends AutoCloseable {
  /** Starts serving; returns once the daemon is ready for calls. */
  void start() throws Exception;

  /** One line for operators: what is listening where. */
  String describe();

  /** Stops gracefully: running calls finish within a bound, workers are left alone. */
  @Override
  void close();
}
