package io.feitian.taskworker.report;

import io.feitian.client.shennong.DaemonReport;
import io.feitian.common.app.MasterAttempt;
import io.feitian.common.resource.ResourceVector;
import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.shennong.v1.Severity;
import io.feitian.taskworker.process.WorkerSnapshot;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Figures and events of one node from successive views of what its task-worker knows: its workers
 * (running or ended and not yet forgotten), its grants, and the fuxi-master it is registered with.
 *
 * <p>Counters are totals since the baseline; events are the differences between two views. The first view (the baseline, taken
 * when the task-worker starts) is not news: workers it adopted, or found ended, were counted by the
 * incarnation that started them. A worker is started when a view first shows it, and failed when a
 * view first shows it {@link WorkerSnapshot#failed() failed}. A start of the same application's
 * worker of the same name, after one on this node failed, replaces that one: a restart (each failure
 * is replaced at most once). Failures waiting for their replacement are kept for at most
 * {@link #MAX_AWAITING_REPLACEMENT} (application, name) pairs, the oldest forgotten first.
 */
public final class NodeReport {
  /** The {@code kind} label: application masters (started by fuxi-master) and everything else. */
  public static final String MASTER = "master";
  public static final String WORKER = "worker";
  private static final List<String> KINDS = List.of(MASTER, WORKER);
  private static final String STARTED = "taskworker.workers.started";
  private static final String FAILED = "taskworker.workers.failed";
  private static final String RESTARTED = "taskworker.workers.restarted";
  static final int MAX_AWAITING_REPLACEMENT = 1024;

  /**
   * What the task-worker knows at one moment.
   *
   * @param workers every worker it lists, plus those that changed and were forgotten since the last view
   * @param grants the grants it holds
   * @param master the fuxi-master it is registered with, if any
   * @param epoch that master's epoch
   */
  public record View(List<WorkerSnapshot> workers, List<Grant> grants, Optional<String> master, long epoch) {
    public View {
      workers = List.copyOf(workers);
      grants = List.copyOf(grants);
    }
  }

  /** A counter by name and {@code kind} label. */
  private record Counted(String name, String kind) {}

  private record AppWorker(String appId, String name) {}

  private final String nodeId;
  private final ResourceVector total;
  private Map<String, WorkerSnapshot> known = new HashMap<>();
  private final Map<AppWorker, Deque<String>> awaitingReplacement = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<AppWorker, Deque<String>> eldest) {
      return size() > MAX_AWAITING_REPLACEMENT;
    }
  };
  /** Every counter's total since the baseline, 0 until something happens, so each series exists from the start. */
  private final Map<Counted, Long> totals = new LinkedHashMap<>();
  private Optional<String> master;
  private long epoch;

  /** A report of node {@code nodeId} offering {@code total}, counting from {@code baseline}. */
  public NodeReport(String nodeId, ResourceVector total, View baseline) {
    this.nodeId = nodeId;
    this.total = total;
    for (WorkerSnapshot w : baseline.workers()) {
      known.put(w.workerId(), w);
    }
    this.master = baseline.master();
    this.epoch = baseline.epoch();
    for (String name : List.of(STARTED, FAILED, RESTARTED)) {
      for (String kind : KINDS) {
        totals.put(new Counted(name, kind), 0L);
      }
    }
  }

  /** The report of the next view. */
  public DaemonReport next(View view) {
    DaemonReport.Builder r = new DaemonReport.Builder();
    masterEvents(view, r);
    for (Happening h : happenings(view.workers())) {
      WorkerSnapshot w = h.worker();
      String kind = kind(w);
      if (h.isStart()) {
        count(STARTED, kind);
        Deque<String> failed = awaitingReplacement.get(new AppWorker(w.appId(), w.name()));
        if (failed != null && !failed.isEmpty()) {
          String replaced = failed.poll();
          count(RESTARTED, kind);
          r.event("taskworker.worker.restarted", Severity.SEVERITY_INFO, "worker " + w.workerId()
              + " (" + w.name() + ") of " + w.appId() + " replaces " + replaced + ", which failed on node " + nodeId,
              "app", w.appId(), "worker", w.workerId(), "name", w.name(), "kind", kind, "replaces", replaced);
        }
      } else {
        count(FAILED, kind);
        failedEvent(w, kind, r);
        awaitingReplacement.computeIfAbsent(new AppWorker(w.appId(), w.name()), k -> new ArrayDeque<>())
            .add(w.workerId());
      }
    }
    Map<String, WorkerSnapshot> now = new HashMap<>();
    for (WorkerSnapshot w : view.workers()) {
      now.put(w.workerId(), w);
    }
    known = now;
    gauges(view, r);
    totals.forEach((c, total) -> r.counter(c.name(), total, "kind", c.kind()));
    return r.build();
  }

  private void count(String name, String kind) {
    totals.merge(new Counted(name, kind), 1L, Long::sum);
  }

  /** A worker's start or failure, new since the previous view, in the order they happened. */
  private record Happening(WorkerSnapshot worker, boolean isStart, long atMs) {}

  private List<Happening> happenings(List<WorkerSnapshot> workers) {
    List<Happening> out = new ArrayList<>();
    for (WorkerSnapshot w : workers) {
      WorkerSnapshot before = known.get(w.workerId());
      if (before == null) {
        out.add(new Happening(w, true, w.startedAtMs()));
      }
      if (w.failed() && (before == null || !before.isEnded())) {
        out.add(new Happening(w, false, w.endedAtMs()));
      }
    }
    // A failure and a start in the same interval: the start replaces the failure only if it came after it.
    out.sort(Comparator.comparingLong(Happening::atMs).thenComparing(h -> !h.isStart()));
    return out;
  }

  private void masterEvents(View view, DaemonReport.Builder r) {
    if (view.master().isPresent() && (!view.master().equals(master) || view.epoch() != epoch)) {
      String m = view.master().get();
      r.event("taskworker.master.registered", Severity.SEVERITY_INFO, "node " + nodeId
          + " registered with fuxi-master " + m + " (epoch " + view.epoch() + ")",
          "master", m, "epoch", Long.toString(view.epoch()));
    } else if (view.master().isEmpty() && master.isPresent()) {
      r.event("taskworker.master.lost", Severity.SEVERITY_WARNING, "node " + nodeId
          + " lost contact with fuxi-master " + master.get() + "; its workers keep running",
          "master", master.get());
    }
    master = view.master();
    epoch = view.epoch();
  }

  private void failedEvent(WorkerSnapshot w, String kind, DaemonReport.Builder r) {
    List<String> labels = new ArrayList<>(List.of("app", w.appId(), "worker", w.workerId(), "name", w.name(),
        "kind", kind, "state", w.state().name()));
    w.exitCode().ifPresent(code -> labels.addAll(List.of("exit_status", Integer.toString(code))));
    String how = switch (w.state()) {
      case EXITED -> "exited with status " + w.exitCode().orElse(0);
      case FAILED_TO_START -> "could not start";
      default -> "was killed" + (w.exitCode().isPresent() ? " (status " + w.exitCode().getAsInt() + ")" : "");
    };
    r.event("taskworker.worker.failed", Severity.SEVERITY_WARNING, "worker " + w.workerId() + " ("
        + w.name() + ") of " + w.appId() + " on node " + nodeId + " " + how
        + (w.message().isEmpty() ? "" : ": " + w.message()), labels.toArray(String[]::new));
  }

  private void gauges(View view, DaemonReport.Builder r) {
    Map<String, Integer> running = new LinkedHashMap<>();
    for (String kind : KINDS) {
      running.put(kind, 0);
    }
    for (WorkerSnapshot w : view.workers()) {
      if (!w.isEnded()) {
        running.merge(kind(w), 1, Integer::sum);
      }
    }
    running.forEach((kind, n) -> r.gauge("taskworker.workers.running", n, "kind", kind));
    long cpu = 0;
    long memory = 0;
    for (Grant g : view.grants()) {
      cpu += g.getShape().getCpuMillis();
      memory += g.getShape().getMemoryMib();
    }
    r.gauge("taskworker.grants", view.grants().size())
        .gauge("taskworker.granted.cpu.millis", cpu)
        .gauge("taskworker.granted.memory.mib", memory)
        .gauge("taskworker.cpu.total.millis", total.cpuMillis())
        .gauge("taskworker.memory.total.mib", total.memoryMib())
        .gauge("taskworker.master.connected", view.master().isPresent() ? 1 : 0);
  }

  /** Application masters run under one worker name; everything else a master starts is a worker. */
  static String kind(WorkerSnapshot w) {
    return w.name().equals(MasterAttempt.WORKER_NAME) ? MASTER : WORKER;
  }

  /**
   * The workers a view should hold: those listed now, and those that changed since the last view
   * ({@code changed}, the newest snapshot of each) but are listed no more, or were listed in an
   * earlier state. A worker that started, failed and was forgotten between two views is reported
   * all the same.
   */
  public static List<WorkerSnapshot> withChanges(List<WorkerSnapshot> listed, Collection<WorkerSnapshot> changed) {
    Map<String, WorkerSnapshot> all = new LinkedHashMap<>();
    for (WorkerSnapshot w : listed) {
      all.put(w.workerId(), w);
    }
    for (WorkerSnapshot c : changed) {
      WorkerSnapshot l = all.get(c.workerId());
      // States only move forward and ended ones are final: an ended snapshot is never out of date.
      if (l == null || (c.isEnded() && !l.isEnded())) {
        all.put(c.workerId(), c);
      }
    }
    return new ArrayList<>(all.values());
  }
}
