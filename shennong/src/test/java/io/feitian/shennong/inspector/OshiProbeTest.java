package io.feitian.shennong.inspector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.feitian.proto.shennong.v1.Sample;
import io.feitian.testkit.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import oshi.SystemInfo;
import oshi.hardware.HWDiskStore;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;

/**
 * The real probe on this machine, checked against what the kernel says in /proc: the machine's
 * memory and CPUs, and a child process started under a task-worker's launch wrapper, as a worker
 * is, whose resident memory, threads, open files and CPU are known; and its disks and interfaces,
 * read from /proc, against OSHI's.
 */
class OshiProbeTest {
  private static final int SLEEPERS = 12;
  private static final long CLOCK_TICKS_PER_SECOND = 100;

  @TempDir
  Path dir;
  private Process wrapper;
  private long child;

  @BeforeEach
  void startAWorkerUnderALaunchWrapper() throws IOException {
    Path log = dir.resolve("child.log");
    // As task-worker's ProgramLauncher: sh -c SCRIPT feitian-launch ..., the program its child.
    // The worker it runs named in its environment, as ProgramLauncher does.
    wrapper = ChildJvm.of(BusyChild.class).args(Integer.toString(SLEEPERS)).jvmArg("-Xmx128m").log(log)
        .env(ProcessRoles.APP_ID_VARIABLE, "app-9").env(ProcessRoles.WORKER_ID_VARIABLE, "app-9.busy.0001")
        .launchedBy(List.of("/bin/sh", "-c", "\"$@\" & wait $!", ProcessRoles.LAUNCH_WRAPPER)).start();
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(log) && Files.readString(log).contains("ready"));
    child = wrapper.children().findFirst().orElseThrow().pid();
  }

  @AfterEach
  void stop() {
    wrapper.descendants().forEach(ProcessHandle::destroyForcibly);
    ChildJvm.kill9(wrapper);
  }

  @Test
  void figuresAgreeWithProc() throws Exception {
    OshiProbe probe = new OshiProbe(0);
    Inspection inspection = new Inspection(Map.of("node", "here"));
    MachineReading first = probe.read();
    long childTicksBefore = cpuTicks(child);
    long before = System.nanoTime();
    inspection.samples(first);
    // A second reading at least a second later (as the daemon's interval), for rates.
    await().pollInterval(Duration.ofMillis(50)).until(() -> System.nanoTime() - before >= 1_000_000_000L);
    MachineReading second = probe.read();
    long childTicksAfter = cpuTicks(child);
    double procCores = (childTicksAfter - childTicksBefore) / (double) CLOCK_TICKS_PER_SECOND
        / ((System.nanoTime() - before) / 1e9);
    List<Sample> samples = inspection.samples(second);

    assertThat(value(samples, "system.memory.total.bytes")).isEqualTo(meminfo("MemTotal"));
    assertThat(value(samples, "system.memory.available.bytes")).isCloseTo(meminfo("MemAvailable"),
        within(0.05 * meminfo("MemTotal")));
    assertThat(value(samples, "system.memory.used.bytes") + value(samples, "system.memory.available.bytes"))
        .isEqualTo(meminfo("MemTotal"));
    long cpus;
    try (Stream<String> lines = Files.lines(Path.of("/proc/stat"))) {
      cpus = lines.filter(l -> l.matches("cpu\\d+ .*")).count();
    }
    assertThat(value(samples, "system.cpu.count")).isEqualTo((double) cpus);
    assertThat(samples.stream().filter(s -> s.getName().equals("system.cpu.core.usage"))).hasSize((int) cpus);
    // One core spins in the child: the machine is at least that busy.
    assertThat(value(samples, "system.cpu.usage")).isBetween(0.8 / cpus, 1.0);
    assertThat(value(samples, "system.load.average.1m")).isGreaterThanOrEqualTo(0);
    assertThat(samples).anyMatch(s -> s.getName().equals("system.filesystem.size.bytes")
        && s.getLabelsMap().get("mount").equals("/") && s.getValue() > 0);

    String pid = Long.toString(child);
    Map<String, String> worker = Map.of("node", "here", "role", "worker", "pid", pid, "app", "app-9",
        "worker", "app-9.busy.0001");
    long vmRssBytes = status(child, "VmRSS") * 1024;
    assertThat(value(samples, "process.memory.rss.bytes", worker)).as("VmRSS %d", vmRssBytes)
        .isCloseTo(vmRssBytes, within(8.0 * (1 << 20))).isGreaterThan(64.0 * (1 << 20));
    assertThat(value(samples, "process.threads", worker)).isCloseTo(status(child, "Threads"), within(2.0))
        .isGreaterThan(SLEEPERS);
    long fds;
    try (Stream<Path> entries = Files.list(Path.of("/proc", pid, "fd"))) {
      fds = entries.count();
    }
    assertThat(value(samples, "process.files.open", worker)).isCloseTo(fds, within(3.0));
    assertThat(value(samples, "process.cpu.cores", worker)).as("/proc says %.2f cores", procCores)
        .isCloseTo(procCores, within(0.3));
    assertThat(samples).as("the launch wrapper itself is not reported")
        .noneMatch(s -> s.getLabelsMap().getOrDefault("pid", "").equals(Long.toString(wrapper.pid())));
    // This JVM (surefire's) is no Feitian daemon: only daemons and workers are reported.
    assertThat(samples).noneMatch(s -> s.getLabelsMap().getOrDefault("pid", "")
        .equals(Long.toString(ProcessHandle.current().pid())));
  }

  @Test
  void disksAndInterfacesAreOshisWithCountersBetweenTwoOfOshisReadings() {
    HardwareAbstractionLayer oshi = new SystemInfo().getHardware();
    List<HWDiskStore> disksBefore = oshi.getDiskStores();
    List<NetworkIF> interfacesBefore = oshi.getNetworkIFs(false);
    MachineReading reading = new OshiProbe(0).read();
    List<HWDiskStore> disksAfter = oshi.getDiskStores();
    List<NetworkIF> interfacesAfter = oshi.getNetworkIFs(false);

    assertThat(reading.disks()).extracting(MachineReading.DiskCounters::name)
        .containsExactlyInAnyOrderElementsOf(disksBefore.stream().map(d -> d.getName().replace("/dev/", "")).toList())
        .isNotEmpty();
    for (MachineReading.DiskCounters d : reading.disks()) {
      HWDiskStore before = byName(disksBefore, HWDiskStore::getName, "/dev/" + d.name());
      HWDiskStore after = byName(disksAfter, HWDiskStore::getName, "/dev/" + d.name());
      assertThat(d.reads()).as(d.name()).isBetween(before.getReads(), after.getReads());
      assertThat(d.readBytes()).as(d.name()).isBetween(before.getReadBytes(), after.getReadBytes());
      assertThat(d.writes()).as(d.name()).isBetween(before.getWrites(), after.getWrites());
      assertThat(d.writtenBytes()).as(d.name()).isBetween(before.getWriteBytes(), after.getWriteBytes());
    }
    assertThat(reading.interfaces()).extracting(MachineReading.InterfaceCounters::name)
        .containsExactlyInAnyOrderElementsOf(interfacesBefore.stream().map(NetworkIF::getName).toList());
    for (MachineReading.InterfaceCounters n : reading.interfaces()) {
      NetworkIF before = byName(interfacesBefore, NetworkIF::getName, n.name());
      NetworkIF after = byName(interfacesAfter, NetworkIF::getName, n.name());
      assertThat(n.receivedBytes()).as(n.name()).isBetween(before.getBytesRecv(), after.getBytesRecv());
      assertThat(n.sentBytes()).as(n.name()).isBetween(before.getBytesSent(), after.getBytesSent());
      assertThat(n.receivedPackets()).as(n.name()).isBetween(before.getPacketsRecv(), after.getPacketsRecv());
      assertThat(n.sentPackets()).as(n.name()).isBetween(before.getPacketsSent(), after.getPacketsSent());
    }
  }

  private static <T> T byName(List<T> all, Function<T, String> name, String wanted) {
    return all.stream().filter(x -> name.apply(x).equals(wanted)).findFirst().orElseThrow();
  }

  private static double value(List<Sample> samples, String name) {
    return value(samples, name, Map.of("node", "here"));
  }

  private static double value(List<Sample> samples, String name, Map<String, String> labels) {
    Optional<Sample> s = samples.stream().filter(x -> x.getName().equals(name) && x.getLabelsMap().equals(labels))
        .findFirst();
    assertThat(s).as("%s%s in %s", name, labels, samples.stream().map(Sample::getName).distinct().toList()).isPresent();
    return s.get().getValue();
  }

  /** A /proc/meminfo figure, in bytes. */
  private static double meminfo(String key) throws IOException {
    return field(Files.readString(Path.of("/proc/meminfo")), key) * 1024.0;
  }

  private static long status(long pid, String key) throws IOException {
    return field(Files.readString(Path.of("/proc", Long.toString(pid), "status")), key);
  }

  private static long field(String text, String key) {
    Matcher m = Pattern.compile("(?m)^" + key + ":\\s+(\\d+)").matcher(text);
    assertThat(m.find()).as(key).isTrue();
    return Long.parseLong(m.group(1));
  }

  /** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
  private static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }
}
