package io.feitian.shennong.monitor.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.feitian.shennong.monitor.alerts.Alert;
import io.feitian.shennong.monitor.alerts.AlertState;
import io.feitian.shennong.monitor.alerts.Fingerprint;
import io.feitian.shennong.monitor.notify.Notification;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class WebhookBodyTest {
  private static final long T0 = 1_714_557_600_123L; // 2024-05-01T10:00:00.123Z

  @Test
  void theBodyHasAlertmanagersVersion4Fields() throws Exception {
    Alert firing = alert("n1", AlertState.FIRING, 0);
    Alert resolved = alert("n2", AlertState.RESOLVED, T0 + 60_000);
    Notification n = new Notification("{}:{alertname=\"Cpu\"}", new TreeMap<>(Map.of("alertname", "Cpu")),
        List.of(firing, resolved), T0 + 60_000);

    JsonNode body = new ObjectMapper().readTree(WebhookBody.of(n, "ops-webhook", "http://monitor:7330"));

    assertThat(body.get("version").asText()).isEqualTo("4");
    assertThat(body.get("groupKey").asText()).isEqualTo("{}:{alertname=\"Cpu\"}");
    assertThat(body.get("truncatedAlerts").asInt()).isZero();
    assertThat(body.get("status").asText()).isEqualTo("firing");
    assertThat(body.get("receiver").asText()).isEqualTo("ops-webhook");
    assertThat(body.get("externalURL").asText()).isEqualTo("http://monitor:7330");
    assertThat(body.get("groupLabels").toString()).isEqualTo("{\"alertname\":\"Cpu\"}");
    assertThat(body.get("commonLabels").toString()).isEqualTo("{\"alertname\":\"Cpu\",\"severity\":\"warning\"}");
    assertThat(body.get("commonAnnotations").toString()).isEqualTo("{\"runbook\":\"r1\"}");
    JsonNode first = body.get("alerts").get(0);
    assertThat(first.get("status").asText()).isEqualTo("firing");
    assertThat(first.get("labels").get("node").asText()).isEqualTo("n1");
    assertThat(first.get("annotations").get("summary").asText()).isEqualTo("n1 is busy");
    assertThat(first.get("startsAt").asText()).isEqualTo("2024-05-01T10:00:00.123Z");
    assertThat(first.get("endsAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
    assertThat(first.get("generatorURL").asText()).isEmpty();
    assertThat(first.get("fingerprint").asText()).isEqualTo(firing.fingerprint()).hasSize(16);
    JsonNode second = body.get("alerts").get(1);
    assertThat(second.get("status").asText()).isEqualTo("resolved");
    assertThat(second.get("endsAt").asText()).isEqualTo("2024-05-01T10:01:00.123Z");
  }

  @Test
  void fingerprintsAreFnv1aOverSortedLabelsAsInPrometheus() {
    // FNV-1a 64 of the empty input is its offset basis; one label hashes "a" 0xff "b" 0xff.
    assertThat(Fingerprint.of(Map.of())).isEqualTo("cbf29ce484222325");
    long h = 0xcbf29ce484222325L;
    for (int b : new int[] {'a', 0xff, 'b', 0xff}) {
      h = (h ^ b) * 0x100000001b3L;
    }
    assertThat(Fingerprint.of(Map.of("a", "b"))).isEqualTo(String.format("%016x", h));
    assertThat(Fingerprint.of(Map.of("x", "1", "a", "2"))).isEqualTo(Fingerprint.of(new TreeMap<>(Map.of("a", "2",
        "x", "1"))));
    // Labels sorted otherwise than by name are hashed in name order all the same.
    TreeMap<String, String> reversed = new TreeMap<>(java.util.Comparator.reverseOrder());
    reversed.putAll(Map.of("x", "1", "a", "2"));
    assertThat(Fingerprint.of(reversed)).isEqualTo(Fingerprint.of(Map.of("x", "1", "a", "2")));
    // 16 hex digits with the leading zeros (computed apart, by the same FNV-1a).
    assertThat(Fingerprint.of(Map.of("a", "2200"))).isEqualTo("0090bf14bcf8e06a");
  }

  private static Alert alert(String node, AlertState state, long resolvedAtMs) {
    return new Alert("Cpu", new TreeMap<>(Map.of("alertname", "Cpu", "node", node, "severity", "warning")),
        new TreeMap<>(Map.of("summary", node + " is busy", "runbook", "r1")), state, T0 - 30_000, T0, resolvedAtMs,
        0.95);
  }
}
