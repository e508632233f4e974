package io.feitian.dayu.agent;

import io.feitian.proto.dayu.v1.ModuleWork;
import java.util.Map;

/** How this node runs a module's steps: the node side ({@code io.feitian.dayu.agent.node}) as the agent's link uses it. */
interface NodeSteps {
  /** dayu-server knows the node as {@code host} in rack {@code rack} (it answered the registration). */
  void registered(String host, String rack);

  /** Module to version, as installed on the node now. */
  Map<String, String> installed();

  /** How many of {@code work}'s steps are already done here (by an earlier life of the agent). */
  int done(ModuleWork work);

  /** Runs step {@code step} of {@code work}; idempotent. Interrupted: the agent is stopping, the step did not end. */
  Outcome run(ModuleWork work, int step) throws InterruptedException;

  record Outcome(boolean ok, String detail) {}
}
