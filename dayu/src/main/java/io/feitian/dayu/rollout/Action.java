package io.feitian.dayu.rollout;

import io.feitian.dayu.descriptor.Step;
import java.util.List;

/** What the daemon around a {@link Rollout} must do after a call: write desired state, ask the operator, record the end. */
public sealed interface Action {
  /**
   * Node {@code node} must run {@code steps} from index {@code firstStep} (earlier ones are done) to take
   * {@code module} from {@code fromVersion} to {@code toVersion} ("" = not installed), and report each step.
   */
  record Apply(String node, String module, String fromVersion, String toVersion, Task.Purpose purpose, List<Step> steps,
      int firstStep) implements Action {
    public Apply {
      steps = List.copyOf(steps);
    }
  }

  /** An interactive rollout waits for {@link Rollout#approveNextBatch} before batch {@code batch} of {@code module}. */
  record AwaitApproval(String module, int batch, List<String> nodes) implements Action {}

  /** The rollout reached {@code status}; {@code reason} says why when it stopped. */
  record Finished(Status status, String reason) implements Action {}
}
