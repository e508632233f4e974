package io.feitian.dayu.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.dayu.agent.node.NodeLayout;
import io.feitian.dayu.agent.node.ProcessControl.Running;
import io.feitian.dayu.agent.node.Supervisor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An upgraded agent counts as module dayu-agent's running process, so pruning never deletes it. */
class SelfAwareProcessesTest {
  @TempDir
  Path root;

  @Test
  void theAgentsOwnModuleRunsAsThisProcessOnceUpgraded() throws Exception {
    Supervisor supervisor = new Supervisor(new NodeLayout(root));
    assertThat(new SelfAwareProcesses(supervisor, "2.0.0").running("dayu-agent"))
        .contains(new Running(ProcessHandle.current().pid(), "2.0.0"));
    assertThat(new SelfAwareProcesses(supervisor, "2.0.0").running("web")).isEmpty();
    assertThat(new SelfAwareProcesses(supervisor, "").running("dayu-agent")).as("the base is no installed version")
        .isEmpty();
  }
}
