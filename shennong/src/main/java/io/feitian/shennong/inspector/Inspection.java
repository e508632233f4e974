package io.feitian.shennong.inspector;

import io.feitian.proto.shennong.v1.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Turns successive {@link MachineReading}s into the samples the inspector sends (names and labels
 * in docs/SHENNONG.md): levels as read, counters as per-second rates since the previous reading
 * ({@link CounterRates}), CPU as busy fractions between two readings' ticks ({@link CpuTicks}). The
 * first reading gives levels only.
 *
 * <p>Timestamps are the reading's wall clock, but always after the previous reading's, so a clock
 * stepping back never makes the agent refuse a sample as out of order. Pure: one sampling thread
 * drives it with readings.
 */
final class Inspection {

  private final Map<String, String> labels;
  private final CounterRates<RateKey> rates = new CounterRates<>();
  private CpuTicks lastCpu;
  private List<CpuTicks> lastCores = List.of();
  private long lastTimestampMs;

  /** What a rate is of: a series name and whose counter (a disk, an interface, a process). */
  private record RateKey(String series, String subject) {}

  /** @param labels added to every sample (the node) */
  Inspection(Map<String, String> labels) {
    this.labels = Map.copyOf(labels);
  }

  List<Sample> samples(MachineReading r) {
    long ts = Math.max(r.wallMs(), lastTimestampMs + 1);
    lastTimestampMs = ts;
    Out out = new Out(ts, labels);
    cpu(r, out);
    memoryAndLoad(r, out);
    for (MachineReading.DiskCounters d : r.disks()) {
      rate(out, r, "system.disk.reads.per.second", d.name(), d.reads(), "disk", d.name());
      rate(out, r, "system.disk.read.bytes.per.second", d.name(), d.readBytes(), "disk", d.name());
      rate(out, r, "system.disk.writes.per.second", d.name(), d.writes(), "disk", d.name());
      rate(out, r, "system.disk.written.bytes.per.second", d.name(), d.writtenBytes(), "disk", d.name());
    }
    for (MachineReading.InterfaceCounters n : r.interfaces()) {
      rate(out, r, "system.network.received.bytes.per.second", n.name(), n.receivedBytes(), "interface", n.name());
      rate(out, r, "system.network.sent.bytes.per.second", n.name(), n.sentBytes(), "interface", n.name());
      rate(out, r, "system.network.received.packets.per.second", n.name(), n.receivedPackets(), "interface",
          n.name());
      rate(out, r, "system.network.sent.packets.per.second", n.name(), n.sentPackets(), "interface", n.name());
    }
    for (MachineReading.FileSystemSpace f : r.fileSystems()) {
      out.add("system.filesystem.size.bytes", f.totalBytes(), "mount", f.mount(), "type", f.type());
      out.add("system.filesystem.used.bytes", f.totalBytes() - f.unallocatedBytes(), "mount", f.mount(), "type",
          f.type());
      out.add("system.filesystem.free.bytes", f.usableBytes(), "mount", f.mount(), "type", f.type());
    }
    for (MachineReading.ProcessFigures p : r.processes()) {
      process(r, p, out);
    }
    out.add("shennong.inspector.read.seconds", r.readNanos() / 1e9);
    rates.forgetUnread();
    return out.samples;
  }

  private void cpu(MachineReading r, Out out) {
    out.add("system.cpu.count", r.cores().size());
    if (lastCpu != null) {
      lastCpu.busyFractionUntil(r.cpu()).ifPresent(v -> out.add("system.cpu.usage", v));
    }
    // Cores are compared by index only while their number stays (CPUs hot-plugged renumber them).
    if (lastCores.size() == r.cores().size()) {
      for (int i = 0; i < r.cores().size(); i++) {
        int core = i;
        lastCores.get(i).busyFractionUntil(r.cores().get(i))
            .ifPresent(v -> out.add("system.cpu.core.usage", v, "core", Integer.toString(core)));
      }
    }
    lastCpu = r.cpu();
    lastCores = r.cores();
  }

  private static void memoryAndLoad(MachineReading r, Out out) {
    MachineReading.Memory m = r.memory();
    out.add("system.memory.total.bytes", m.totalBytes());
    out.add("system.memory.available.bytes", m.availableBytes());
    out.add("system.memory.used.bytes", m.totalBytes() - m.availableBytes());
    MachineReading.LoadAverages l = r.load();
    if (l.oneMinute() >= 0) {
      out.add("system.load.average.1m", l.oneMinute());
      out.add("system.load.average.5m", l.fiveMinutes());
      out.add("system.load.average.15m", l.fifteenMinutes());
    }
  }

  private void process(MachineReading r, MachineReading.ProcessFigures p, Out out) {
    String pid = Long.toString(p.pid());
    List<String> labels = new ArrayList<>(List.of("role", p.role(), "pid", pid));
    p.owner().forEach((k, v) -> labels.addAll(List.of(k, v)));
    String[] who = labels.toArray(String[]::new);
    // Per second of CPU milliseconds, divided by 1000: cores busy (1.0 = one core all the time).
    rates.rate(new RateKey("process.cpu", pid + "@" + p.startTimeMs()), p.cpuMillis(), r.monotonicNanos())
        .ifPresent(msPerSecond -> out.add("process.cpu.cores", msPerSecond / 1000.0, who));
    out.add("process.memory.rss.bytes", p.rssBytes(), who);
    out.add("process.threads", p.threads(), who);
    if (p.openFiles() >= 0) {
      out.add("process.files.open", p.openFiles(), who);
    }
  }

  private void rate(Out out, MachineReading r, String series, String subject, long counter, String... labels) {
    OptionalDouble v = rates.rate(new RateKey(series, subject), counter, r.monotonicNanos());
    v.ifPresent(x -> out.add(series, x, labels));
  }

  /** The samples of one reading, all at one timestamp with the constant labels. */
  private static final class Out {
    final List<Sample> samples = new ArrayList<>();
    private final long ts;
    private final Map<String, String> labels;

    Out(long ts, Map<String, String> labels) {
      this.ts = ts;
      this.labels = labels;
    }

    void add(String name, double value, String... pairs) {
      Sample.Builder b = Sample.newBuilder().setName(name).setTimestampMs(ts).setValue(value).putAllLabels(labels);
      for (int i = 0; i + 1 < pairs.length; i += 2) {
        b.putLabels(pairs[i], pairs[i + 1]);
      }
      samples.add(b.build());
    }
  }
}
