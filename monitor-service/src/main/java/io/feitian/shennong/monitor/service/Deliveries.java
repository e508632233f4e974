package io.feitian.shennong.monitor.service;

import io.feitian.client.shennong.ShennongWriter;
import io.feitian.proto.shennong.v1.Severity;
import io.feitian.shennong.monitor.alerts.Alert;
import io.feitian.shennong.monitor.notify.Notification;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where notifications go: the log (one line per notification), every webhook (through the
 * {@link WebhookSender}, off the caller's thread), and Shennong, as one event per alert
 * ({@code monitor.alert.firing} or {@code monitor.alert.resolved}, labelled with the alert's
 * labels), through the daemon's own writer, which never blocks.
 */
final class Deliveries {
  private static final Logger log = LoggerFactory.getLogger(Deliveries.class);
  static final String FIRING_EVENT = "monitor.alert.firing";
  static final String RESOLVED_EVENT = "monitor.alert.resolved";

  private final WebhookSender webhooks;
  private final Optional<ShennongWriter> events;

  Deliveries(WebhookSender webhooks, Optional<ShennongWriter> events) {
    this.webhooks = webhooks;
    this.events = events;
  }

  void deliver(Notification n) {
    log.info("notification {} {}: {}", n.status(), n.groupKey(),
        n.alerts().stream().map(Alert::toString).collect(Collectors.joining(", ")));
    webhooks.send(n);
    events.ifPresent(w -> n.alerts().forEach(a -> w.event(a.isFiring() ? FIRING_EVENT : RESOLVED_EVENT,
        a.isFiring() ? severity(a) : Severity.SEVERITY_INFO, message(a), labelPairs(a))));
  }

  /** The alert's {@code severity} label when it names a Shennong severity, else WARNING. */
  static Severity severity(Alert a) {
    String label = a.labels().getOrDefault("severity", "").toUpperCase(Locale.ROOT);
    try {
      Severity s = Severity.valueOf("SEVERITY_" + label);
      return s == Severity.SEVERITY_UNSPECIFIED || s == Severity.UNRECOGNIZED ? Severity.SEVERITY_WARNING : s;
    } catch (IllegalArgumentException e) {
      return Severity.SEVERITY_WARNING;
    }
  }

  private static String message(Alert a) {
    String summary = a.annotations().getOrDefault("summary", "");
    return summary.isEmpty() ? a.toString() : a.rule() + ": " + summary;
  }

  private static String[] labelPairs(Alert a) {
    List<String> pairs = new ArrayList<>();
    a.labels().forEach((k, v) -> {
      pairs.add(k);
      pairs.add(v);
    });
    return pairs.toArray(String[]::new);
  }
}
