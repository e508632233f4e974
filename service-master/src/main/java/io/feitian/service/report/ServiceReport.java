package io.feitian.service.report;

import io.feitian.client.shennong.DaemonReport;
import io.feitian.proto.service.v1.PartitionRecord;
import io.feitian.proto.service.v1.PartitionState;
import io.feitian.proto.service.v1.RoleStatus;
import io.feitian.proto.service.v1.ServiceStatus;
import io.feitian.proto.service.v1.WorkerInfo;
import io.feitian.proto.shennong.v1.Severity;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Figures and events from successive views of one service ({@code ServiceStatus}, as
 * `feitian service status` shows it). Figures: partitions by state, workers by role and state
 * (and wanted), and the totals of partition moves (migrations, splits). Events are what changed
 * between two views: a partition owned by another worker than before (moved), a partition
 * replaced by the halves it was split into, a worker lost, and a new worker standing in for a
 * lost one (replaced).
 *
 * <p>A view is a sample: a partition that moved twice between two views (one second apart by
 * default) is one move from its first owner to its last. The first view is the baseline (nothing
 * before it is news): a restarted service-master reports what changes after it took over.
 *
 * <p>The writer adds the label {@code service}.
 */
public final class ServiceReport {
  private static final List<PartitionState> STATES = List.of(PartitionState.PARTITION_STATE_UNASSIGNED,
      PartitionState.PARTITION_STATE_LOADING, PartitionState.PARTITION_STATE_SERVING,
      PartitionState.PARTITION_STATE_UNLOADING, PartitionState.PARTITION_STATE_SPLITTING);

  /** Partitions by id, as last seen. */
  private Map<String, PartitionRecord> partitions = Map.of();
  /** The last worker that owned each partition (kept while it is unassigned between owners). */
  private final Map<String, String> lastOwner = new HashMap<>();
  /** Workers by id, as last seen. */
  private Map<String, WorkerInfo> workers = Map.of();
  /** Per role, the lost workers not yet replaced, oldest first. */
  private final Map<String, ArrayDeque<String>> unreplaced = new HashMap<>();
  private long migrations;
  private long splits;

  /** The report of a view. */
  public DaemonReport next(ServiceStatus status) {
    DaemonReport.Builder r = new DaemonReport.Builder();
    // Splits compare with the partitions of the previous view, which reportMoves then replaces.
    reportSplits(status, r);
    reportWorkers(status, r);
    reportMoves(status, r);
    Map<PartitionState, Integer> byState = new LinkedHashMap<>();
    status.getPartitionsList().forEach(p -> byState.merge(p.getState(), 1, Integer::sum));
    for (PartitionState s : STATES) {
      r.gauge("service.partitions", byState.getOrDefault(s, 0), "state", name(s));
    }
    for (RoleStatus role : status.getRolesList()) {
      long lost = status.getWorkersList().stream().filter(w -> w.getRole().equals(role.getName()) && w.getLost())
          .count();
      r.gauge("service.workers", role.getRunning(), "role", role.getName(), "state", "running")
          .gauge("service.workers", lost, "role", role.getName(), "state", "lost")
          .gauge("service.workers.wanted", role.getWanted(), "role", role.getName());
    }
    return r.counter("service.partition.moves", migrations, "kind", "migration")
        .counter("service.partition.moves", splits, "kind", "split")
        .build();
  }

  private static String name(PartitionState s) {
    return s.name().substring("PARTITION_STATE_".length()).toLowerCase(Locale.ROOT);
  }

  /** A partition whose owner is another worker than its last one has moved (a first owner is a load, not a move). */
  private void reportMoves(ServiceStatus status, DaemonReport.Builder r) {
    Map<String, PartitionRecord> now = new LinkedHashMap<>();
    for (PartitionRecord p : status.getPartitionsList()) {
      now.put(p.getId(), p);
      if (p.getOwner().isEmpty()) {
        continue;
      }
      String before = lastOwner.put(p.getId(), p.getOwner());
      if (before != null && !before.equals(p.getOwner())) {
        migrations++;
        r.event("service.partition.moved", Severity.SEVERITY_INFO, "partition " + p.getId() + " " + range(p)
            + " moved from " + before + " to " + p.getOwner(), "partition", p.getId(), "from", before,
            "to", p.getOwner());
      }
    }
    lastOwner.keySet().retainAll(now.keySet());
    partitions = now;
  }

  /** A partition that is gone was split: the new partitions within its range are its parts. */
  private void reportSplits(ServiceStatus status, DaemonReport.Builder r) {
    for (PartitionRecord gone : partitions.values()) {
      if (status.getPartitionsList().stream().anyMatch(p -> p.getId().equals(gone.getId()))) {
        continue;
      }
      List<PartitionRecord> parts = status.getPartitionsList().stream()
          .filter(p -> !partitions.containsKey(p.getId()) && within(p, gone))
          .sorted(Comparator.comparing(PartitionRecord::getStart)).toList();
      if (parts.size() < 2) {
        continue;
      }
      splits++;
      List<String> ids = parts.stream().map(PartitionRecord::getId).toList();
      List<String> at = parts.stream().skip(1).map(PartitionRecord::getStart).toList();
      r.event("service.partition.split", Severity.SEVERITY_INFO, "partition " + gone.getId() + " " + range(gone)
          + " split at " + at + " into " + ids, "partition", gone.getId(), "into", String.join(",", ids),
          "at", String.join(",", at));
    }
  }

  /** Whether {@code p}'s range lies in {@code outer}'s (an empty end is the end of the key space). */
  private static boolean within(PartitionRecord p, PartitionRecord outer) {
    boolean fromInside = p.getStart().compareTo(outer.getStart()) >= 0;
    boolean toInside = outer.getEnd().isEmpty()
        || (!p.getEnd().isEmpty() && p.getEnd().compareTo(outer.getEnd()) <= 0);
    return fromInside && toInside;
  }

  private static String range(PartitionRecord p) {
    return "[" + p.getStart() + ", " + (p.getEnd().isEmpty() ? "end" : p.getEnd()) + ")";
  }

  /**
   * A worker is lost when it is marked lost, or when it is gone while its role has fewer workers
   * running than it wants (a worker gone after a scale-in is not lost). A new worker of a role
   * with lost workers replaces the oldest of them.
   */
  private void reportWorkers(ServiceStatus status, DaemonReport.Builder r) {
    Map<String, WorkerInfo> now = new LinkedHashMap<>();
    status.getWorkersList().forEach(w -> now.put(w.getWorkerId(), w));
    Map<String, Integer> running = new HashMap<>();
    Map<String, Integer> wanted = new HashMap<>();
    status.getRolesList().forEach(role -> {
      running.put(role.getName(), role.getRunning());
      wanted.put(role.getName(), role.getWanted());
    });
    for (WorkerInfo before : workers.values()) {
      WorkerInfo after = now.get(before.getWorkerId());
      String role = before.getRole();
      boolean belowWanted = running.getOrDefault(role, 0) < wanted.getOrDefault(role, 0);
      if (before.getLost()) {
        if (after != null && !after.getLost()) {
          unreplaced.getOrDefault(role, new ArrayDeque<>()).remove(before.getWorkerId()); // it came back
        }
      } else if ((after != null && after.getLost()) || (after == null && belowWanted)) {
        unreplaced.computeIfAbsent(role, k -> new ArrayDeque<>()).add(before.getWorkerId());
        r.event("service.worker.lost", Severity.SEVERITY_WARNING, "worker " + before.getWorkerId() + " of " + role
            + " on " + before.getNodeId() + (after == null ? " ended" : " lost its session"), "role", role,
            "worker", before.getWorkerId(), "node", before.getNodeId());
      }
    }
    List<WorkerInfo> added = new ArrayList<>();
    now.values().stream().filter(w -> !workers.containsKey(w.getWorkerId())).forEach(added::add);
    for (WorkerInfo w : added) {
      ArrayDeque<String> lost = unreplaced.get(w.getRole());
      if (lost != null && !lost.isEmpty()) {
        String old = lost.poll();
        r.event("service.worker.replaced", Severity.SEVERITY_INFO, "worker " + old + " of " + w.getRole()
            + " replaced by " + w.getWorkerId() + " on " + w.getNodeId(), "role", w.getRole(), "worker", old,
            "by", w.getWorkerId(), "node", w.getNodeId());
      }
    }
    // A role back at its wanted count replaces no more (the rest of its lost workers went with a scale-in).
    unreplaced.keySet().removeIf(role -> running.getOrDefault(role, 0) >= wanted.getOrDefault(role, 0));
    workers = now;
  }
}
