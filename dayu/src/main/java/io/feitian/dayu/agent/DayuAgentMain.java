package io.feitian.dayu.agent;

import io.feitian.common.lifecycle.DaemonLauncher;

/** {@code dayu-agent [--config FILE] [--set key=value]... [--print-config]} */
public final class DayuAgentMain {
  private DayuAgentMain() {}

  public static void main(String[] args) {
    DaemonLauncher.run("dayu-agent", "dayu", args, DayuAgent::new,
        config -> "# node " + AgentSettings.from(config).host() + " of cluster " + AgentSettings.from(config).cluster());
  }
}
