package io.feitian.shennong.inspector;

import io.feitian.common.lifecycle.DaemonLauncher;

/** {@code shennong-inspector [--config FILE] [--set key=value]... [--print-config]} */
public final class ShennongInspectorMain {
  private ShennongInspectorMain() {}

  public static void main(String[] args) {
    DaemonLauncher.run("shennong-inspector", "shennong.inspector", args, ShennongInspector::new, config -> {
      InspectorSettings s = InspectorSettings.from(config);
      return "# node id: " + s.nodeId() + "\n# sends to shennong-agent " + s.agent();
    });
  }
}
