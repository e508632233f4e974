package io.feitian.shennong.inspector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.feitian.proto.shennong.v1.Sample;
import io.feitian.shennong.inspector.MachineReading.DiskCounters;
import io.feitian.shennong.inspector.MachineReading.FileSystemSpace;
import io.feitian.shennong.inspector.MachineReading.InterfaceCounters;
import io.feitian.shennong.inspector.MachineReading.LoadAverages;
import io.feitian.shennong.inspector.MachineReading.Memory;
import io.feitian.shennong.inspector.MachineReading.ProcessFigures;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class InspectionTest {
  private static final long SECOND = 1_000_000_000L;
  private final Inspection inspection = new Inspection(Map.of("node", "n1"));

  /** A reading at second {@code s} whose counters all grew by {@code s} times a step. */
  private static MachineReading reading(long s, List<ProcessFigures> processes) {
    return new MachineReading(1_700_000_000_000L + s * 1000, s * SECOND, new CpuTicks(100 * s, 400 * s),
        List.of(new CpuTicks(90 * s, 200 * s), new CpuTicks(10 * s, 200 * s)), new Memory(8L << 30, 6L << 30),
        new LoadAverages(0.5, 0.25, -1), List.of(new DiskCounters("vda", 10 * s, 4096 * s, 20 * s, 8192 * s)),
        List.of(new InterfaceCounters("eth0", 1000 * s, 500 * s, 10 * s, 5 * s)),
        List.of(new FileSystemSpace("/", "ext4", 100L << 30, 40L << 30, 35L << 30)), processes, 3_000_000);
  }

  private static ProcessFigures master(long s) {
    return new ProcessFigures(42, 1_699_999_000_000L, "fuxi-master", Map.of(), 250 * s, 300L << 20, 40, 120);
  }

  private static Map<String, Double> byKey(List<Sample> samples) {
    return samples.stream().collect(Collectors.toMap(
        s -> s.getName() + new TreeMap<>(s.getLabelsMap()), Sample::getValue));
  }

  @Test
  void theFirstReadingGivesLevelsAndTheSecondAlsoRatesAndCpuFractions() {
    List<Sample> first = inspection.samples(reading(1, List.of(master(1))));
    assertThat(first).allSatisfy(s -> {
      assertThat(s.getLabelsMap()).containsEntry("node", "n1");
      assertThat(s.getTimestampMs()).isEqualTo(1_700_000_001_000L);
    });
    Map<String, Double> levels = byKey(first);
    assertThat(levels).containsEntry("system.memory.total.bytes{node=n1}", (double) (8L << 30))
        .containsEntry("system.memory.available.bytes{node=n1}", (double) (6L << 30))
        .containsEntry("system.memory.used.bytes{node=n1}", (double) (2L << 30))
        .containsEntry("system.cpu.count{node=n1}", 2.0)
        .containsEntry("system.load.average.1m{node=n1}", 0.5)
        .containsEntry("system.filesystem.size.bytes{mount=/, node=n1, type=ext4}", (double) (100L << 30))
        .containsEntry("system.filesystem.used.bytes{mount=/, node=n1, type=ext4}", (double) (60L << 30))
        .containsEntry("system.filesystem.free.bytes{mount=/, node=n1, type=ext4}", (double) (35L << 30))
        .containsEntry("process.memory.rss.bytes{node=n1, pid=42, role=fuxi-master}", (double) (300L << 20))
        .containsEntry("process.threads{node=n1, pid=42, role=fuxi-master}", 40.0)
        .containsEntry("process.files.open{node=n1, pid=42, role=fuxi-master}", 120.0)
        .containsEntry("shennong.inspector.read.seconds{node=n1}", 0.003);
    assertThat(levels.keySet()).noneMatch(k -> k.contains("per.second") || k.contains("usage") || k.contains("cpu.cores"));

    Map<String, Double> second = byKey(inspection.samples(reading(3, List.of(master(3)))));
    // Two seconds later: every counter grew by 2 steps.
    assertThat(second).containsEntry("system.cpu.usage{node=n1}", 0.25)
        .containsEntry("system.cpu.core.usage{core=0, node=n1}", 0.45)
        .containsEntry("system.cpu.core.usage{core=1, node=n1}", 0.05)
        .containsEntry("system.disk.reads.per.second{disk=vda, node=n1}", 10.0)
        .containsEntry("system.disk.read.bytes.per.second{disk=vda, node=n1}", 4096.0)
        .containsEntry("system.disk.writes.per.second{disk=vda, node=n1}", 20.0)
        .containsEntry("system.disk.written.bytes.per.second{disk=vda, node=n1}", 8192.0)
        .containsEntry("system.network.received.bytes.per.second{interface=eth0, node=n1}", 1000.0)
        .containsEntry("system.network.sent.bytes.per.second{interface=eth0, node=n1}", 500.0)
        .containsEntry("system.network.received.packets.per.second{interface=eth0, node=n1}", 10.0)
        .containsEntry("system.network.sent.packets.per.second{interface=eth0, node=n1}", 5.0);
    assertThat(second.get("process.cpu.cores{node=n1, pid=42, role=fuxi-master}")).isCloseTo(0.25, within(1e-12));
  }

  @Test
  void anUnknownLoadAverageIsLeftOut() {
    MachineReading r = reading(1, List.of());
    MachineReading noLoad = new MachineReading(r.wallMs(), r.monotonicNanos(), r.cpu(), r.cores(), r.memory(),
        new LoadAverages(-1, -1, -1), r.disks(), r.interfaces(), r.fileSystems(), r.processes(), 0);
    assertThat(inspection.samples(noLoad)).noneMatch(s -> s.getName().startsWith("system.load"));
  }

  @Test
  void aPidReusedByANewProcessStartsItsCpuRateOver() {
    inspection.samples(reading(1, List.of(master(1))));
    ProcessFigures reused = new ProcessFigures(42, 1_700_000_001_500L, "worker",
        Map.of("app", "a7", "worker", "a7.copy.1f2e"), 10, 1 << 20, 1, 3);
    List<Sample> samples = inspection.samples(reading(2, List.of(reused)));
    assertThat(samples).noneMatch(s -> s.getName().equals("process.cpu.cores"));
    // A worker's series name its application and worker.
    assertThat(byKey(samples)).containsEntry(
        "process.memory.rss.bytes{app=a7, node=n1, pid=42, role=worker, worker=a7.copy.1f2e}", (double) (1 << 20));
  }

  @Test
  void timestampsAlwaysAdvanceEvenWhenTheWallClockStepsBack() {
    MachineReading later = reading(5, List.of());
    MachineReading steppedBack = reading(6, List.of());
    steppedBack = new MachineReading(later.wallMs() - 60_000, steppedBack.monotonicNanos(), steppedBack.cpu(),
        steppedBack.cores(), steppedBack.memory(), steppedBack.load(), steppedBack.disks(), steppedBack.interfaces(),
        steppedBack.fileSystems(), steppedBack.processes(), 0);
    long first = inspection.samples(later).get(0).getTimestampMs();
    List<Sample> next = inspection.samples(steppedBack);
    assertThat(next).allSatisfy(s -> assertThat(s.getTimestampMs()).isEqualTo(first + 1));
    Optional<Sample> disk = next.stream().filter(s -> s.getName().equals("system.disk.reads.per.second")).findFirst();
    assertThat(disk).as("rates use the monotonic clock").hasValueSatisfying(s -> assertThat(s.getValue()).isEqualTo(10.0));
  }
}
