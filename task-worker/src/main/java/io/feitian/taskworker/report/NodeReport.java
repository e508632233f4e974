package io.feitian.taskworker.report;

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
 * <p>Counts and events are the differences between two views. The first view (the baseline, taken
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
  static final int MAX_AWAITING_REPLACEMENT = 1024;

  /** An event for Shennong; the writer adds the {@code node} label. */
  public record Event(String name, Severity severity, String message, Map<String, String> labels) {}

  /** A series by name and labels, beyond the writer's own ({@code node}). */
  public record Series(String name, Map<String, String> labels) {
    static Series of(String name) {
      return new Series(name, Map.of());
    }

    static Series ofKind(String name, String kind) {
      return new Series(name, Map.of("kind", kind));
    }
  }

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

  /**
   * One view's report: gauges (the value now), counter increments since the previous view (every
   * counter, 0 when nothing happened, so each series exists from the start) and events.
   */
  public record Report(Map<Series, Double> gauges, Map<Series, Long> increments, List<Event> events) {}

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
  }

  /** The report of the next view. */
  public Report next(View view) {
    Map<Series, Long> increments = new LinkedHashMap<>();
    for (String name : List.of("taskworker.workers.started", "taskworker.workers.failed",
        "taskworker.workers.restarted")) {
      for (String kind : KINDS) {
        increments.put(Series.ofKind(name, kind), 0L);
      }
    }
    List<Event> events = new ArrayList<>();
    masterEvents(view, events);
    for (Happening h : happenings(view.workers())) {
      WorkerSnapshot w = h.worker();
      String kind = kind(w);
      if (h.isStart()) {
        increments.merge(Series.ofKind("taskworker.workers.started", kind), 1L, Long::sum);
        Deque<String> failed = awaitingReplacement.get(new AppWorker(w.appId(), w.name()));
        if (failed != null && !failed.isEmpty()) {
          String replaced = failed.poll();
          increments.merge(Series.ofKind("taskworker.workers.restarted", kind), 1L, Long::sum);
          events.add(new Event("taskworker.worker.restarted", Severity.SEVERITY_INFO, "worker " + w.workerId()
              + " (" + w.name() + ") of " + w.appId() + " replaces " + replaced + ", which failed on node " + nodeId,
              Map.of("app", w.appId(), "worker", w.workerId(), "name", w.name(), "kind", kind,
                  "replaces", replaced)));
        }
      } else {
        increments.merge(Series.ofKind("taskworker.workers.failed", kind), 1L, Long::sum);
        events.add(failedEvent(w, kind));
        awaitingReplacement.computeIfAbsent(new AppWorker(w.appId(), w.name()), k -> new ArrayDeque<>())
            .add(w.workerId());
      }
    }
    Map<String, WorkerSnapshot> now = new HashMap<>();
    for (WorkerSnapshot w : view.workers()) {
      now.put(w.workerId(), w);
    }
    known = now;
    return new Report(gauges(view), increments, events);
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

  private void masterEvents(View view, List<Event> events) {
    if (view.master().isPresent() && (!view.master().equals(master) || view.epoch() != epoch)) {
      String m = view.master().get();
      events.add(new Event("taskworker.master.registered", Severity.SEVERITY_INFO, "node " + nodeId
          + " registered with fuxi-master " + m + " (epoch " + view.epoch() + ")",
          Map.of("master", m, "epoch", Long.toString(view.epoch()))));
    } else if (view.master().isEmpty() && master.isPresent()) {
      events.add(new Event("taskworker.master.lost", Severity.SEVERITY_WARNING, "node " + nodeId
          + " lost contact with fuxi-master " + master.get() + "; its workers keep running",
          Map.of("master", master.get())));
    }
    master = view.master();
    epoch = view.epoch();
  }

  private Event failedEvent(WorkerSnapshot w, String kind) {
    Map<String, String> labels = new LinkedHashMap<>(Map.of("app", w.appId(), "worker", w.workerId(),
        "name", w.name(), "kind", kind, "state", w.state().name()));
    w.exitCode().ifPresent(code -> labels.put("exit_status", Integer.toString(code)));
    String how = switch (w.state()) {
      case EXITED -> "exited with status " + w.exitCode().orElse(0);
      case FAILED_TO_START -> "could not start";
      default -> "was killed" + (w.exitCode().isPresent() ? " (status " + w.exitCode().getAsInt() + ")" : "");
    };
    return new Event("taskworker.worker.failed", Severity.SEVERITY_WARNING, "worker " + w.workerId() + " ("
        + w.name() + ") of " + w.appId() + " on node " + nodeId + " " + how
        + (w.message().isEmpty() ? "" : ": " + w.message()), labels);
  }

  private Map<Series, Double> gauges(View view) {
    Map<Series, Double> gauges = new LinkedHashMap<>();
    for (String kind : KINDS) {
      gauges.put(Series.ofKind("taskworker.workers.running", kind), 0.0);
    }
    for (WorkerSnapshot w : view.workers()) {
      if (!w.isEnded()) {
        gauges.merge(Series.ofKind("taskworker.workers.running", kind(w)), 1.0, Double::sum);
      }
    }
    long cpu = 0;
    long memory = 0;
    for (Grant g : view.grants()) {
      cpu += g.getShape().getCpuMillis();
      memory += g.getShape().getMemoryMib();
    }
    gauges.put(Series.of("taskworker.grants"), (double) view.grants().size());
    gauges.put(Series.of("taskworker.granted.cpu.millis"), (double) cpu);
    gauges.put(Series.of("taskworker.granted.memory.mib"), (double) memory);
    gauges.put(Series.of("taskworker.cpu.total.millis"), (double) total.cpuMillis());
    gauges.put(Series.of("taskworker.memory.total.mib"), (double) total.memoryMib());
    gauges.put(Series.of("taskworker.master.connected"), view.master().isPresent() ? 1.0 : 0.0);
    return gauges;
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
