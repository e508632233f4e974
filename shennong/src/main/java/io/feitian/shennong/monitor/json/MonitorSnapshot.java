package io.feitian.shennong.monitor.json;

import io.feitian.shennong.monitor.alerts.EvaluatorSnapshot;
import io.feitian.shennong.monitor.notify.NotifierSnapshot;

/**
 * The whole state of a monitor-service that a successor needs: its evaluator's and its
 * notifier's, taken together between two steps so that they agree.
 *
 * @param takenAtMs when it was taken
 */
public record MonitorSnapshot(long takenAtMs, EvaluatorSnapshot evaluator, NotifierSnapshot notifier) {
  /** The snapshot as JSON, for a file or a ZooKeeper node. */
  public String toJson() {
    return SnapshotJson.write(this);
  }

  public static MonitorSnapshot fromJson(String json) {
    return SnapshotJson.read(json);
  }
}
