package io.feitian.taskworker.report;

import io.feitian.testkit.PureCore;
import org.junit.jupiter.api.Test;

class NodeReportArchitectureTest {
  @Test
  void theReportIsPure() {
    // Its package also holds the reporter's source (reads the node); the report itself only compares views
    // and returns plain data (DaemonReport), never touching the writer.
    PureCore.checkClass(NodeReport.class, "the reporter reads the node and writes to Shennong; the report decides",
        "java.io..", "java.net..", "java.nio.file.Files", "io.feitian.client.shennong.ShennongWriter",
        "io.feitian.client.shennong.PeriodicReporter", "io.feitian.taskworker.process.ProcessSupervisor");
  }
}
