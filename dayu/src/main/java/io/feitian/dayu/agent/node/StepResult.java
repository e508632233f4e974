package io.feitian.dayu.agent.node;

import java.time.Duration;

/**
 * How one step went: {@code ok} or failed, a sentence saying what happened ("started pid 4242",
 * "sha256 mismatch: expected ..., got ..."), and how long it took. The agent reports it to
 * dayu-server as is.
 */
public record StepResult(boolean ok, String detail, Duration duration) {
  public static StepResult ok(String detail, Duration duration) {
    return new StepResult(true, detail, duration);
  }

  public static StepResult failed(String detail, Duration duration) {
    return new StepResult(false, detail, duration);
  }
}
