package io.feitian.dayu.agent.node;

import java.time.Duration;

/**
 * The {@code drain} step: ask fuxi-master to stop granting on this node and wait until the work on
 * it is gone or {@code timeout} passed. Running out of time is not a failure (the descriptor's
 * format says so: the removal goes on); not being able to ask is, and is thrown.
 */
@FunctionalInterface
public interface Drainer {
  /** A node with nothing to drain, or no fuxi-master to ask. */
  Drainer NONE = (module, timeout) -> "nothing to drain";

  /** Drains the node for {@code module}'s removal; returns what happened, for the step's report. */
  String drain(String module, Duration timeout) throws Exception;
}
