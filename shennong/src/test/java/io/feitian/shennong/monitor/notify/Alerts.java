package io.feitian.shennong.monitor.notify;

import io.feitian.shennong.monitor.alerts.Alert;
import io.feitian.shennong.monitor.alerts.AlertState;
import java.util.Map;
import java.util.TreeMap;

/** Alerts for notifier tests, named {@code alertname/node}. */
final class Alerts {
  private Alerts() {}

  static Alert firing(String alertname, String node, long firedAtMs) {
    return new Alert(alertname, new TreeMap<>(Map.of("alertname", alertname, "node", node)),
        new TreeMap<>(Map.of("summary", alertname + " on " + node)), AlertState.FIRING, firedAtMs, firedAtMs, 0, 1);
  }

  static String name(Alert a) {
    return a.rule() + "/" + a.labels().get("node") + (a.isFiring() ? "" : " resolved");
  }
}
