package io.feitian.shennong.inspector;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.CentralProcessor.TickType;
import oshi.hardware.HWDiskStore;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;
import oshi.software.os.OSFileStore;
import oshi.software.os.OSProcess;
import oshi.software.os.OperatingSystem;

/**
 * Reads a {@link MachineReading} through OSHI. What is costly to find is found again only every
 * discovery interval (measured on this machine, C1-compiled: the whole process table 12 ms for 100
 * processes, the file systems 9 ms), what is cheap to read is read at every sampling:
 *
 * <ul>
 *   <li>Processes: the table with command lines is read at discovery and classified by
 *       {@link ProcessRoles}; between discoveries only the reported processes are read again (about
 *       0.2 ms each). A process started since is reported from the next discovery on; one that
 *       ended, or whose pid now belongs to another process (its start time changed), is dropped.
 *   <li>File systems: OSHI lists the local ones (no pseudo or network file systems) at discovery;
 *       their space is read at every sampling with statvfs ({@link FileStore}, microseconds).
 *   <li>CPU ticks, memory, load, disks and interfaces: at every sampling (disks about 2.5 ms).
 * </ul>
 *
 * Used by the sampling thread only.
 */
final class OshiProbe {
  private static final Logger log = LoggerFactory.getLogger(OshiProbe.class);

  private final OperatingSystem os;
  private final HardwareAbstractionLayer hardware;
  private final CentralProcessor processor;
  private final long discoveryIntervalNanos;
  private long nextDiscoveryNanos;
  private final Map<Integer, Tracked> processes = new LinkedHashMap<>();
  private List<Mounted> fileSystems = List.of();

  private record Tracked(OSProcess process, String role, long startTimeMs) {}

  private record Mounted(String mount, String type, FileStore store) {}

  OshiProbe(long discoveryIntervalNanos) {
    SystemInfo si = new SystemInfo();
    this.os = si.getOperatingSystem();
    this.hardware = si.getHardware();
    this.processor = hardware.getProcessor();
    this.discoveryIntervalNanos = discoveryIntervalNanos;
    this.nextDiscoveryNanos = System.nanoTime(); // the first reading discovers
  }

  /** Reads everything now. */
  MachineReading read() {
    long wallMs = System.currentTimeMillis();
    long monotonicNanos = System.nanoTime();
    if (monotonicNanos - nextDiscoveryNanos >= 0) {
      discoverProcesses();
      discoverFileSystems();
      nextDiscoveryNanos = monotonicNanos + discoveryIntervalNanos;
    }
    long[][] coreTicks = processor.getProcessorCpuLoadTicks();
    List<CpuTicks> cores = new ArrayList<>(coreTicks.length);
    for (long[] t : coreTicks) {
      cores.add(ticks(t));
    }
    double[] load = processor.getSystemLoadAverage(3);
    return new MachineReading(wallMs, monotonicNanos, ticks(processor.getSystemCpuLoadTicks()), cores,
        new MachineReading.Memory(hardware.getMemory().getTotal(), hardware.getMemory().getAvailable()),
        new MachineReading.LoadAverages(load[0], load[1], load[2]), disks(), interfaces(), space(), processes(),
        System.nanoTime() - monotonicNanos);
  }

  private static CpuTicks ticks(long[] t) {
    long total = 0;
    for (long v : t) {
      total += v;
    }
    return new CpuTicks(total - t[TickType.IDLE.getIndex()] - t[TickType.IOWAIT.getIndex()], total);
  }

  private List<MachineReading.DiskCounters> disks() {
    List<MachineReading.DiskCounters> out = new ArrayList<>();
    for (HWDiskStore d : hardware.getDiskStores()) {
      String name = d.getName().startsWith("/dev/") ? d.getName().substring(5) : d.getName();
      out.add(new MachineReading.DiskCounters(name, d.getReads(), d.getReadBytes(), d.getWrites(),
          d.getWriteBytes()));
    }
    return out;
  }

  private List<MachineReading.InterfaceCounters> interfaces() {
    List<MachineReading.InterfaceCounters> out = new ArrayList<>();
    for (NetworkIF n : hardware.getNetworkIFs(false)) {
      out.add(new MachineReading.InterfaceCounters(n.getName(), n.getBytesRecv(), n.getBytesSent(),
          n.getPacketsRecv(), n.getPacketsSent()));
    }
    return out;
  }

  private void discoverFileSystems() {
    List<Mounted> found = new ArrayList<>();
    for (OSFileStore f : os.getFileSystem().getFileStores(true)) {
      try {
        found.add(new Mounted(f.getMount(), f.getType(), Files.getFileStore(Path.of(f.getMount()))));
      } catch (IOException | RuntimeException e) {
        log.debug("file system {} not readable: {}", f.getMount(), e.toString());
      }
    }
    fileSystems = found;
  }

  private List<MachineReading.FileSystemSpace> space() {
    List<MachineReading.FileSystemSpace> out = new ArrayList<>();
    for (Mounted m : fileSystems) {
      try {
        out.add(new MachineReading.FileSystemSpace(m.mount(), m.type(), m.store().getTotalSpace(),
            m.store().getUnallocatedSpace(), m.store().getUsableSpace()));
      } catch (IOException e) {
        // Unmounted since discovery: gone until the next one finds it again.
      }
    }
    return out;
  }

  private void discoverProcesses() {
    List<OSProcess> table = os.getProcesses();
    List<ProcessRoles.ProcessInfo> infos = new ArrayList<>(table.size());
    Map<Integer, OSProcess> byPid = new LinkedHashMap<>();
    for (OSProcess p : table) {
      infos.add(new ProcessRoles.ProcessInfo(p.getProcessID(), p.getParentProcessID(), p.getArguments()));
      byPid.put(p.getProcessID(), p);
    }
    processes.clear();
    ProcessRoles.classify(infos).forEach((pid, role) -> {
      OSProcess p = byPid.get(pid.intValue());
      processes.put(p.getProcessID(), new Tracked(p, role, p.getStartTime()));
    });
  }

  /** The tracked processes, read again now. */
  private List<MachineReading.ProcessFigures> processes() {
    List<MachineReading.ProcessFigures> out = new ArrayList<>(processes.size());
    var it = processes.values().iterator();
    while (it.hasNext()) {
      Tracked t = it.next();
      OSProcess p = t.process();
      if (!p.updateAttributes() || p.getStartTime() != t.startTimeMs()) {
        it.remove();
        continue;
      }
      out.add(new MachineReading.ProcessFigures(p.getProcessID(), t.startTimeMs(), t.role(),
          p.getKernelTime() + p.getUserTime(), p.getResidentSetSize(), p.getThreadCount(), p.getOpenFiles()));
    }
    return out;
  }
}
