package io.feitian.shennong.inspector;

import java.io.File;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.CentralProcessor.TickType;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;
import oshi.software.os.OSFileStore;
import oshi.software.os.OSProcess;
import oshi.software.os.OperatingSystem;
import oshi.software.os.linux.LinuxOperatingSystem;

/**
 * Reads a {@link MachineReading}: OSHI finds what is there, and reads what it reads cheaply; the
 * per-sampling counters it reads dearly are read here from /proc (Linux only, as the inspector).
 * What is costly to find is found again only every discovery interval (measured on this machine,
 * C1-compiled: the whole process table 12 ms for 100 processes, the file systems 9 ms, the disks
 * through OSHI's udev enumeration 3 ms, the interfaces 1 ms):
 *
 * <ul>
 *   <li>Processes: the table with command lines is read through OSHI at discovery and classified by
 *       {@link ProcessRoles}; between discoveries only the reported processes are read, each from
 *       its {@code /proc/PID/stat} ({@link ProcessStat}, 0.02 ms; OSHI's refresh reads five files,
 *       0.6 ms) and the size of its {@code /proc/PID/fd} (the number of open files since Linux
 *       6.2, 0.003 ms; listing the directory, 0.06 ms for 150 files, where the size is 0). A
 *       process started since is reported from the next discovery on; one that ended, or whose pid
 *       now belongs to another process (its start time changed), is dropped.
 *   <li>File systems: OSHI lists the local ones (no pseudo or network file systems) at discovery;
 *       their space is read at every sampling with statvfs ({@link FileStore}, microseconds).
 *   <li>Disks: the entries of {@code /sys/block} at discovery, without loop devices and RAM disks
 *       (as OSHI); their counters from one read of {@code /proc/diskstats} ({@link DiskStats}).
 *   <li>Interfaces: OSHI lists them at discovery (loopback left out); their counters come from one
 *       read of {@code /proc/net/dev} ({@link NetDev}), the same counters as OSHI's sysfs files.
 *   <li>CPU ticks, memory and load: through OSHI at every sampling.
 * </ul>
 *
 * Used by the sampling thread only.
 */
final class OshiProbe {
  private static final Logger log = LoggerFactory.getLogger(OshiProbe.class);
  private static final Path PROC = Path.of("/proc");
  private static final Path DISKSTATS = PROC.resolve("diskstats");
  private static final Path NET_DEV = PROC.resolve("net/dev");
  private static final File SYS_BLOCK = new File("/sys/block");
  private static final long CLOCK_TICKS_PER_SECOND = LinuxOperatingSystem.getHz();
  private static final long PAGE_BYTES = LinuxOperatingSystem.getPageSize();

  private final OperatingSystem os;
  private final HardwareAbstractionLayer hardware;
  private final CentralProcessor processor;
  private final ProcReader proc = new ProcReader();
  private final long discoveryIntervalNanos;
  private long nextDiscoveryNanos;
  private final Map<Integer, Tracked> processes = new LinkedHashMap<>();
  private List<Mounted> fileSystems = List.of();
  private Set<String> disks = Set.of();
  private Set<String> interfaces = Set.of();

  /** @param startTicks from its stat when found: another value later means another process */
  private record Tracked(int pid, String role, Map<String, String> owner, long startTimeMs, long startTicks) {}

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
      discoverDisksAndInterfaces();
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

  private void discoverDisksAndInterfaces() {
    Set<String> foundDisks = new LinkedHashSet<>();
    String[] entries = SYS_BLOCK.list();
    for (String entry : entries == null ? new String[0] : entries) {
      DiskStats.diskName(entry).ifPresent(foundDisks::add);
    }
    disks = foundDisks;
    Set<String> foundInterfaces = new LinkedHashSet<>();
    for (NetworkIF n : hardware.getNetworkIFs(false)) {
      foundInterfaces.add(n.getName());
    }
    interfaces = foundInterfaces;
  }

  private List<MachineReading.DiskCounters> disks() {
    return disks.isEmpty() ? List.of() : DiskStats.parse(readProc(DISKSTATS), disks);
  }

  private List<MachineReading.InterfaceCounters> interfaces() {
    return interfaces.isEmpty() ? List.of() : NetDev.parse(readProc(NET_DEV), interfaces);
  }

  /** A system-wide /proc file's text; empty (nothing to report this time) when unreadable. */
  private String readProc(Path file) {
    try {
      return proc.read(file);
    } catch (IOException e) {
      log.debug("{} not readable: {}", file, e.toString());
      return "";
    }
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
      List<String> args = p.getArguments();
      // Only a launch wrapper's environment is read: it names the worker it runs.
      Map<String, String> environment = ProcessRoles.isLaunchWrapper(args) ? p.getEnvironmentVariables() : Map.of();
      infos.add(new ProcessRoles.ProcessInfo(p.getProcessID(), p.getParentProcessID(), args, environment));
      byPid.put(p.getProcessID(), p);
    }
    processes.clear();
    Map<Long, ProcessRoles.Owner> owners = ProcessRoles.owners(infos);
    ProcessRoles.classify(infos).forEach((pid, role) -> {
      OSProcess p = byPid.get(pid.intValue());
      Map<String, String> owner = owners.containsKey(pid) ? owners.get(pid).labels() : Map.of();
      // Its start in ticks is read now, a moment after OSHI's table: a pid reused in between is
      // taken for the process OSHI saw until the next discovery.
      stat(p.getProcessID()).ifPresent(s -> processes.put(p.getProcessID(),
          new Tracked(p.getProcessID(), role, owner, p.getStartTime(), s.startTicks())));
    });
  }

  /** The tracked processes, read again now. */
  private List<MachineReading.ProcessFigures> processes() {
    List<MachineReading.ProcessFigures> out = new ArrayList<>(processes.size());
    var it = processes.values().iterator();
    while (it.hasNext()) {
      Tracked t = it.next();
      Optional<ProcessStat> stat = stat(t.pid());
      if (stat.isEmpty() || stat.get().startTicks() != t.startTicks()) {
        it.remove();
        continue;
      }
      ProcessStat s = stat.get();
      out.add(new MachineReading.ProcessFigures(t.pid(), t.startTimeMs(), t.role(), t.owner(),
          s.cpuTicks() * 1000 / CLOCK_TICKS_PER_SECOND, s.residentPages() * PAGE_BYTES, s.threads(),
          openFiles(t.pid())));
    }
    return out;
  }

  /** A process's stat; empty when it ended. */
  private Optional<ProcessStat> stat(int pid) {
    try {
      return ProcessStat.parse(proc.read(PROC.resolve(pid + "/stat")));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Its open file descriptors: the size of {@code /proc/PID/fd}, which Linux sets to their number
   * since 6.2 (one stat call), else the directory's entries counted; negative when unreadable.
   */
  private static long openFiles(int pid) {
    Path fds = PROC.resolve(pid + "/fd");
    try {
      long size = Files.size(fds);
      if (size > 0) {
        return size;
      }
    } catch (IOException e) {
      return -1;
    }
    String[] entries = fds.toFile().list();
    return entries == null ? -1 : entries.length;
  }
}
