package io.feitian.shennong.monitor.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.feitian.shennong.monitor.alerts.Alert;
import io.feitian.shennong.monitor.alerts.AlertState;
import io.feitian.shennong.monitor.notify.Notification;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Webhook delivery against a real HTTP server: retried with backoff until taken, given up when refused. */
class WebhookSenderTest {
  private static Notification notification() {
    Alert a = new Alert("NodeCpuHigh", new TreeMap<>(Map.of("alertname", "NodeCpuHigh", "node", "n1")),
        new TreeMap<>(Map.of("summary", "n1 hot")), AlertState.FIRING, 1000, 2000, 0, 0.95);
    return new Notification("{}:{alertname=\"NodeCpuHigh\"}", new TreeMap<>(Map.of("alertname", "NodeCpuHigh")),
        List.of(a), 3000);
  }

  private static MonitorSettings.Webhooks settings(List<URI> urls, Duration giveUpAfter) {
    return new MonitorSettings.Webhooks(urls, "team", "http://monitor", Duration.ofSeconds(2), Duration.ofMillis(50),
        Duration.ofMillis(200), giveUpAfter);
  }

  @Test
  void aFailingWebhookIsRetriedUntilItTakesTheBodyOnce() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver(3);
        WebhookSender sender = new WebhookSender(settings(List.of(receiver.url()), Duration.ofMinutes(1)))) {
      long start = System.nanoTime();
      sender.send(notification());
      assertThat(System.nanoTime() - start).as("send returns without waiting for the receiver")
          .isLessThan(Duration.ofMillis(500).toNanos());
      await().atMost(Duration.ofSeconds(10)).until(() -> sender.delivered() == 1);
      assertThat(receiver.attempts()).isEqualTo(4);
      assertThat(sender.failedAttempts()).isEqualTo(3);
      assertThat(receiver.taken()).hasSize(1);
      JsonNode body = new ObjectMapper().readTree(receiver.taken().get(0));
      assertThat(body.get("version").asText()).isEqualTo("4");
      assertThat(body.get("status").asText()).isEqualTo("firing");
      assertThat(body.get("receiver").asText()).isEqualTo("team");
      assertThat(body.get("alerts").get(0).get("labels").get("node").asText()).isEqualTo("n1");
    }
  }

  @Test
  void aWebhookThatRefusesTheBodyIsNotRetriedAndADeadOneIsGivenUpWithoutDelayingTheOther() throws Exception {
    try (WebhookReceiver refusing = new WebhookReceiver(0); WebhookReceiver healthy = new WebhookReceiver(0)) {
      refusing.answer(400);
      URI dead = URI.create("http://127.0.0.1:" + io.feitian.testkit.FreePorts.one() + "/hook");
      try (WebhookSender sender = new WebhookSender(settings(List.of(refusing.url(), dead, healthy.url()),
          Duration.ofMillis(600)))) {
        sender.send(notification());
        await().atMost(Duration.ofSeconds(2)).until(() -> healthy.taken().size() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> sender.givenUp() == 2);
        assertThat(refusing.attempts()).as("a 400 is not retried").isEqualTo(1);
        assertThat(sender.failedAttempts()).as("the dead one was tried more than once").isGreaterThan(2);
        assertThat(sender.delivered()).isEqualTo(1);
      }
    }
  }
}
