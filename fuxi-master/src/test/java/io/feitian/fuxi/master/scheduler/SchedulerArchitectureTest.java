package io.feitian.fuxi.master.scheduler;

import io.feitian.testkit.PureCore;
import org.junit.jupiter.api.Test;

/** The scheduler core is plain logic: no RPC, coordination, threads or I/O. */
class SchedulerArchitectureTest {
  @Test
  void theSchedulerIsAPureCore() {
    PureCore.check("io.feitian.fuxi.master.scheduler", "Scheduler",
        "the scheduler is a pure object driven by method calls; the daemon does the I/O",
        "io.feitian.proto..", "java.io..", "java.nio..", "java.net..");
  }
}
