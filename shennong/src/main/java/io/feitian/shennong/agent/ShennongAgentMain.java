package io.feitian.shennong.agent;

import io.feitian.common.grpc.Advertised;
import io.feitian.common.lifecycle.DaemonLauncher;
import io.feitian.common.zk.ZkSettings;

/** {@code shennong-agent [--config FILE] [--set key=value]... [--print-config]} */
public final class ShennongAgentMain {
  private ShennongAgentMain() {}

  public static void main(String[] args) {
    DaemonLauncher.run("shennong-agent", "shennong.agent", args, ShennongAgent::new, config -> {
      AgentSettings s = AgentSettings.from(config);
      Advertised a = s.advertised(s.port(), ZkSettings.from(config).connect());
      return "# node id: " + s.nodeId() + "\n" + a.comment();
    });
  }
}
