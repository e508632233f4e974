package io.feitian.taskworker.report;

import io.feitian.client.shennong.DaemonReport;
import io.feitian.client.shennong.PeriodicReporter;
import io.feitian.common.resource.ResourceVector;
import io.feitian.taskworker.process.WorkerSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The task-worker's side of its {@link PeriodicReporter}: each report is a {@link NodeReport} of
 * the view read the way the task-worker answers status calls (its supervisor and grant book are
 * thread-safe), on the reporter's thread, so nothing the task-worker does waits for it. Worker
 * changes are also collected as they happen ({@link #workerChanged}, from the supervisor's
 * listener thread), so a worker that starts, fails and is forgotten within one interval is still
 * counted.
 */
public final class NodeReporter implements PeriodicReporter.Source {
  private final Supplier<NodeReport.View> view;
  private final NodeReport report;
  /** The newest snapshot of each worker that changed since the last view. */
  private final Map<String, WorkerSnapshot> changed = new ConcurrentHashMap<>();

  /** Takes the baseline view now; {@code view} lists what the task-worker knows at the time of the call. */
  public NodeReporter(String nodeId, ResourceVector total, Supplier<NodeReport.View> view) {
    this.view = view;
    this.report = new NodeReport(nodeId, total, view.get());
  }

  /** A worker changed; called by the supervisor's listener. Never blocks. */
  public void workerChanged(WorkerSnapshot s) {
    changed.put(s.workerId(), s);
  }

  @Override
  public DaemonReport next() {
    // The changes first, then the list: a listed state is never older than a collected one.
    List<WorkerSnapshot> recent = new ArrayList<>();
    for (String id : changed.keySet()) {
      WorkerSnapshot s = changed.remove(id);
      if (s != null) {
        recent.add(s);
      }
    }
    NodeReport.View now = view.get();
    return report.next(new NodeReport.View(NodeReport.withChanges(now.workers(), recent), now.grants(),
        now.master(), now.epoch()));
  }
}
