package io.feitian.taskworker.node;

import io.feitian.common.resource.ResourceVector;
import io.feitian.taskworker.TaskWorkerSettings;
import oshi.SystemInfo;
import oshi.hardware.HardwareAbstractionLayer;

/** What this node offers to Fuxi: detected with OSHI, overridden by configuration. */
public final class NodeResources {
  private NodeResources() {}

  public static ResourceVector detect(TaskWorkerSettings s) {
    long cpu;
    long mem;
    if (s.cpuMillis().isPresent() && s.memoryMib().isPresent()) {
      cpu = s.cpuMillis().getAsLong();
      mem = s.memoryMib().getAsLong();
    } else {
      HardwareAbstractionLayer hw = new SystemInfo().getHardware();
      cpu = s.cpuMillis().orElse(hw.getProcessor().getLogicalProcessorCount() * 1000L);
      long physicalMib = hw.getMemory().getTotal() / (1024 * 1024);
      mem = s.memoryMib().orElse(Math.max(256, physicalMib - s.reservedMemoryMib()));
    }
    return ResourceVector.of(cpu, mem, s.named());
  }
}
