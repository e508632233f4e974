package io.feitian.shennong.inspector;

import java.util.List;
import java.util.Map;

/**
 * What one sampling read from the operating system, as plain figures: counters as the kernel keeps
 * them (totals since boot), levels as they are. {@link Inspection} turns it into samples.
 *
 * @param wallMs when it was read (wall clock, the samples' timestamp)
 * @param monotonicNanos when it was read (monotonic, for rates)
 * @param cpu all CPUs' ticks
 * @param cores each CPU's ticks, by index
 * @param load the 1, 5 and 15 minute load averages (negative when the system does not say)
 * @param readNanos how long the reading took (the inspector's own cost)
 */
record MachineReading(long wallMs, long monotonicNanos, CpuTicks cpu, List<CpuTicks> cores, Memory memory,
    LoadAverages load, List<DiskCounters> disks, List<InterfaceCounters> interfaces,
    List<FileSystemSpace> fileSystems, List<ProcessFigures> processes, long readNanos) {

  MachineReading {
    cores = List.copyOf(cores);
    disks = List.copyOf(disks);
    interfaces = List.copyOf(interfaces);
    fileSystems = List.copyOf(fileSystems);
    processes = List.copyOf(processes);
  }

  /** Physical memory: total, and what is available to new work without swapping (MemAvailable). */
  record Memory(long totalBytes, long availableBytes) {}

  record LoadAverages(double oneMinute, double fiveMinutes, double fifteenMinutes) {}

  /** A block device's totals since boot. */
  record DiskCounters(String name, long reads, long readBytes, long writes, long writtenBytes) {}

  /** A network interface's totals since it came up. */
  record InterfaceCounters(String name, long receivedBytes, long sentBytes, long receivedPackets, long sentPackets) {}

  /**
   * A mounted file system's space, as statvfs gives it.
   *
   * @param unallocatedBytes free blocks, including those reserved for root
   * @param usableBytes what an unprivileged user may still write (df's "Avail")
   */
  record FileSystemSpace(String mount, String type, long totalBytes, long unallocatedBytes, long usableBytes) {}

  /**
   * One reported process.
   *
   * @param startTimeMs tells a process from a later one that reuses its pid
   * @param cpuMillis user and system CPU time since it started
   * @param openFiles open file descriptors, negative when unreadable
   */
  record ProcessFigures(long pid, long startTimeMs, String role, Map<String, String> owner, long cpuMillis,
      long rssBytes, int threads, long openFiles) {
    ProcessFigures {
      owner = Map.copyOf(owner);
    }
  }
}
