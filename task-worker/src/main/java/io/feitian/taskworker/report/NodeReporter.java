package io.feitian.taskworker.report;

import io.feitian.client.shennong.ShennongWriter;
import io.feitian.common.resource.ResourceVector;
import io.feitian.taskworker.process.WorkerSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports a node to its shennong-agent every interval through {@link NodeReport}. The view is read
 * the way the task-worker answers status calls (its supervisor and grant book are thread-safe), on
 * this reporter's own thread: nothing the task-worker does waits for it, and the writer never
 * blocks. Worker changes are also collected as they happen ({@link #workerChanged}, from the
 * supervisor's listener thread), so a worker that starts, fails and is forgotten within one interval
 * is still counted.
 */
public final class NodeReporter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeReporter.class);

  private final ShennongWriter writer;
  private final Supplier<NodeReport.View> view;
  private final NodeReport report;
  /** The newest snapshot of each worker that changed since the last view. */
  private final Map<String, WorkerSnapshot> changed = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "task-worker-reporter");
    t.setDaemon(true);
    return t;
  });

  /**
   * Takes the baseline view now and reports every {@code intervalMillis}; {@code view} lists what the
   * task-worker knows at the time of the call (called on the reporter's thread).
   */
  public NodeReporter(ShennongWriter writer, String nodeId, ResourceVector total, Supplier<NodeReport.View> view,
      long intervalMillis) {
    this.writer = writer;
    this.view = view;
    this.report = new NodeReport(nodeId, total, view.get());
    timer.scheduleWithFixedDelay(this::tick, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  /** A worker changed; called by the supervisor's listener. Never blocks. */
  public void workerChanged(WorkerSnapshot s) {
    changed.put(s.workerId(), s);
  }

  private void tick() {
    try {
      // The changes first, then the list: a listed state is never older than a collected one.
      List<WorkerSnapshot> recent = new ArrayList<>();
      for (String id : changed.keySet()) {
        WorkerSnapshot s = changed.remove(id);
        if (s != null) {
          recent.add(s);
        }
      }
      NodeReport.View now = view.get();
      NodeReport.Report r = report.next(new NodeReport.View(NodeReport.withChanges(now.workers(), recent),
          now.grants(), now.master(), now.epoch()));
      r.gauges().forEach((s, value) -> writer.gauge(s.name(), pairs(s)).set(value));
      r.increments().forEach((s, n) -> writer.counter(s.name(), pairs(s)).increment(n));
      for (NodeReport.Event e : r.events()) {
        writer.event(e.name(), e.severity(), e.message(), e.labels());
      }
    } catch (RuntimeException e) {
      // A periodic task that throws is never run again: report again at the next interval.
      log.warn("cannot report the node this time", e);
    }
  }

  private static String[] pairs(NodeReport.Series s) {
    return s.labels().entrySet().stream().flatMap(l -> Stream.of(l.getKey(), l.getValue()))
        .toArray(String[]::new);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    writer.close();
  }
}
