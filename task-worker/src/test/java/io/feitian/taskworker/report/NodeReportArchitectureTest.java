package io.feitian.taskworker.report;

import io.feitian.testkit.PureCore;
import org.junit.jupiter.api.Test;

class NodeReportArchitectureTest {
  @Test
  void theReportIsPure() {
    // Its package also holds the shell (timer, writer); the report itself only compares views.
    PureCore.checkClass(NodeReport.class, "the reporter reads the node and writes to Shennong; the report decides",
        "java.io..", "java.net..", "java.nio.file.Files", "io.feitian.client..", "io.feitian.taskworker.process.ProcessSupervisor");
  }
}
