package io.feitian.shennong.analysis;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The cluster totals and the series each is formed from (the inspector's, the task-workers', the job- and
 * service-masters' series; docs/SHENNONG.md lists them). A node's part of a total is the sum over the input series
 * of that node (its disks, its interfaces, its processes, the kinds of its workers); a group's total is the sum
 * of its nodes' parts. Every input is a level or a per-second rate, so sums are meaningful: bytes per second add
 * up across disks and nodes, cores used add up across nodes.
 */
public enum Total {
  /** Nodes with at least one series fresh in the step (a count; every node-derived grouping has it). */
  NODES("nodes", null, null, null, null),
  /** CPU in use, in cores: {@code system.cpu.usage} (a fraction of all CPUs) times {@code system.cpu.count}. */
  CPU_CORES_USED("cpu.cores.used", "system.cpu.usage", null, null, "system.cpu.count"),
  /** CPUs. */
  CPU_CORES("cpu.cores", "system.cpu.count", null, null, null),
  MEMORY_USED("memory.used.bytes", "system.memory.used.bytes", null, null, null),
  MEMORY_TOTAL("memory.total.bytes", "system.memory.total.bytes", null, null, null),
  DISK_READ("disk.read.bytes.per.second", "system.disk.read.bytes.per.second", null, null, null),
  DISK_WRITTEN("disk.written.bytes.per.second", "system.disk.written.bytes.per.second", null, null, null),
  NETWORK_RECEIVED("network.received.bytes.per.second", "system.network.received.bytes.per.second", null, null,
      null),
  NETWORK_SENT("network.sent.bytes.per.second", "system.network.sent.bytes.per.second", null, null, null),
  /** Workers the task-workers run, application masters included (all {@code kind}s). */
  WORKERS_RUNNING("workers.running", "taskworker.workers.running", null, null, null),
  /** Job instances running ({@code job.instances{state="running"}}), by job too. */
  INSTANCES_RUNNING("instances.running", "job.instances", "state", "running", null),
  /** Service workers running ({@code service.workers{state="running"}}), by service too. */
  SERVICE_WORKERS_RUNNING("service.workers.running", "service.workers", "state", "running", null),
  /** CPU of the Feitian processes (daemons and workers), in cores; by application where labelled {@code app}. */
  PROCESS_CPU_CORES("process.cpu.cores", "process.cpu.cores", null, null, null),
  /** Resident memory of the Feitian processes; by application where labelled {@code app}. */
  PROCESS_MEMORY("process.memory.bytes", "process.memory.rss.bytes", null, null, null);

  private static final Map<String, Total> BY_NAME = Arrays.stream(values())
      .collect(Collectors.toUnmodifiableMap(Total::totalName, t -> t));
  /** Every series name some total reads (a factor included). */
  private static final java.util.Set<String> INPUTS = Arrays.stream(values())
      .flatMap(t -> java.util.stream.Stream.of(t.input, t.factor))
      .filter(n -> n != null)
      .collect(Collectors.toUnmodifiableSet());

  private final String totalName;
  private final String input;
  private final String filterLabel;
  private final String filterValue;
  private final String factor;

  Total(String totalName, String input, String filterLabel, String filterValue, String factor) {
    this.totalName = totalName;
    this.input = input;
    this.filterLabel = filterLabel;
    this.filterValue = filterValue;
    this.factor = factor;
  }

  /** The name queries select the total by. */
  public String totalName() {
    return totalName;
  }

  /** The series it sums (null for {@link #NODES}). */
  public String input() {
    return input;
  }

  /** A series of the same node, without labels, each input value is multiplied by (null: none). */
  String factor() {
    return factor;
  }

  /** Whether a series of the input's name with these labels counts in this total. */
  boolean takes(Map<String, String> labels) {
    return filterLabel == null || filterValue.equals(labels.getOrDefault(filterLabel, ""));
  }

  public static Total named(String name) {
    return BY_NAME.get(name);
  }

  /** Whether some total reads series of this name. */
  static boolean isInput(String seriesName) {
    return INPUTS.contains(seriesName);
  }

  static List<String> names() {
    return Arrays.stream(values()).map(Total::totalName).toList();
  }
}
