package io.feitian.dayu.agent.node;

import java.time.Duration;
import java.util.Map;

/**
 * The {@code drain} step: ask fuxi-master to stop granting on this node and wait until the work on
 * it is gone or {@code timeout} passed. Running out of time is not a failure (the descriptor's
 * format says so: the removal goes on); not being able to ask is, and is thrown.
 */
@FunctionalInterface
public interface Drainer {
  /** A node with nothing to drain, or no fuxi-master to ask. */
  Drainer NONE = (module, values, timeout) -> "nothing to drain";

  /**
   * Drains the node for {@code module}'s removal; returns what happened, for the step's report.
   *
   * @param values the step's placeholder values: the module's parameters for this node (defaults
   *     filled in) and the built-ins ({@code node.id}, {@code node.rack}, ...)
   */
  String drain(String module, Map<String, String> values, Duration timeout) throws Exception;
}
