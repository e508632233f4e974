package io.feitian.shennong.inspector;

import io.feitian.testkit.PureCore;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The package also holds the daemon, its OSHI probe and its /proc reader; what decides or parses is
 * held to no I/O, OSHI or clock.
 */
class InspectorArchitectureTest {
  @Test
  void theInspectorsCoresArePure() {
    for (Class<?> core : List.of(Inspection.class, CounterRates.class, CpuTicks.class, ProcessRoles.class,
        MachineReading.class, DiskStats.class, NetDev.class, ProcessStat.class)) {
      PureCore.checkClass(core, "the inspector's sampling thread drives them with readings and time passed in",
          "java.io..", "java.nio..", "java.net..", "oshi..", "io.feitian.common..");
    }
  }
}
