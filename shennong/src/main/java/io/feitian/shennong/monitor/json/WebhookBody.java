package io.feitian.shennong.monitor.json;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.feitian.shennong.monitor.alerts.Alert;
import io.feitian.shennong.monitor.notify.Notification;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The body of a webhook notification in Alertmanager's format (version "4"), so that receivers
 * written for Alertmanager accept it:
 *
 * <pre>
 * {"version":"4", "groupKey":"{}:{alertname=\"NodeCpuHigh\"}", "truncatedAlerts":0,
 *  "status":"firing", "receiver":"webhook", "groupLabels":{...}, "commonLabels":{...},
 *  "commonAnnotations":{...}, "externalURL":"http://...",
 *  "alerts":[{"status":"firing", "labels":{...}, "annotations":{...},
 *             "startsAt":"2024-05-01T10:00:00.123Z", "endsAt":"0001-01-01T00:00:00Z",
 *             "generatorURL":"", "fingerprint":"1a30ba71cca2921f"}]}
 * </pre>
 *
 * A firing alert's {@code endsAt} is Go's zero time, as Alertmanager sends it; {@code startsAt} is
 * when the alert fired; a resolved alert's {@code endsAt} when it resolved.
 */
public final class WebhookBody {
  /** Go's zero time: what Alertmanager sends as the end of an alert that has not ended. */
  static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  private WebhookBody() {}

  public static String of(Notification n, String receiver, String externalUrl) {
    JsonNodeFactory json = JsonNodeFactory.instance;
    ObjectNode body = json.objectNode();
    body.put("version", "4");
    body.put("groupKey", n.groupKey());
    body.put("truncatedAlerts", 0);
    body.put("status", n.status());
    body.put("receiver", receiver);
    body.set("groupLabels", strings(n.groupLabels()));
    body.set("commonLabels", strings(common(n.alerts(), Alert::labels)));
    body.set("commonAnnotations", strings(common(n.alerts(), Alert::annotations)));
    body.put("externalURL", externalUrl);
    ArrayNode alerts = body.putArray("alerts");
    for (Alert a : n.alerts()) {
      ObjectNode alert = alerts.addObject();
      alert.put("status", a.isFiring() ? "firing" : "resolved");
      alert.set("labels", strings(a.labels()));
      alert.set("annotations", strings(a.annotations()));
      alert.put("startsAt", time(a.firedAtMs()));
      alert.put("endsAt", a.isFiring() ? ZERO_TIME : time(a.resolvedAtMs()));
      alert.put("generatorURL", "");
      alert.put("fingerprint", a.fingerprint());
    }
    return body.toString();
  }

  /** RFC 3339 in UTC, with milliseconds when there are any. */
  static String time(long epochMs) {
    return Instant.ofEpochMilli(epochMs).toString();
  }

  /** The pairs every alert has with the same value. */
  private static SortedMap<String, String> common(List<Alert> alerts, Function<Alert, Map<String, String>> pairs) {
    if (alerts.isEmpty()) {
      return new TreeMap<>();
    }
    Map<String, String> shared = new HashMap<>(pairs.apply(alerts.get(0)));
    for (Alert a : alerts.subList(1, alerts.size())) {
      Map<String, String> own = pairs.apply(a);
      shared.entrySet().removeIf(e -> !e.getValue().equals(own.get(e.getKey())));
    }
    return new TreeMap<>(shared);
  }

  private static ObjectNode strings(Map<String, String> pairs) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    new TreeMap<>(pairs).forEach(out::put);
    return out;
  }
}
