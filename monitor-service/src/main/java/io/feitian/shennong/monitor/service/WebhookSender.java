package io.feitian.shennong.monitor.service;

import io.feitian.common.retry.Backoff;
import io.feitian.shennong.monitor.json.WebhookBody;
import io.feitian.shennong.monitor.notify.Notification;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts notifications to the configured webhooks, each in Alertmanager's body, off the caller's
 * thread: {@link #send} returns at once. A failed attempt (no connection, a timeout, HTTP 5xx or
 * 429) is retried with exponential backoff and jitter until {@code give-up-after} has passed; any
 * other 4xx is the receiver refusing the body, which a retry would not change, so it is given up
 * at once (as Alertmanager does). Each webhook is delivered independently: a dead one does not
 * delay the others. No order is promised between two notifications of a group in retry.
 */
final class WebhookSender implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);

  private final MonitorSettings.Webhooks settings;
  private final HttpClient http;
  private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "webhook-retries");
    t.setDaemon(true);
    return t;
  });
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong failedAttempts = new AtomicLong();
  private final AtomicLong givenUp = new AtomicLong();

  WebhookSender(MonitorSettings.Webhooks settings) {
    this.settings = settings;
    this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
  }

  /** Starts delivering {@code n} to every webhook; returns at once. */
  void send(Notification n) {
    if (settings.urls().isEmpty()) {
      return;
    }
    String body = WebhookBody.of(n, settings.receiver(), settings.externalUrl());
    for (URI url : settings.urls()) {
      new Delivery(url, n.groupKey(), body).attempt();
    }
  }

  /** Notifications every webhook took (2xx), counted per webhook. */
  long delivered() {
    return delivered.get();
  }

  long failedAttempts() {
    return failedAttempts.get();
  }

  long givenUp() {
    return givenUp.get();
  }

  /** One notification to one webhook, with its own backoff. */
  private final class Delivery {
    private final URI url;
    private final String groupKey;
    private final HttpRequest request;
    private final Backoff backoff = new Backoff(settings.backoff(), settings.backoffMax());
    private final long giveUpAtNanos = System.nanoTime() + settings.giveUpAfter().toNanos();
    private int attempts;

    Delivery(URI url, String groupKey, String body) {
      this.url = url;
      this.groupKey = groupKey;
      this.request = HttpRequest.newBuilder(url).timeout(settings.timeout())
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
    }

    void attempt() {
      attempts++;
      http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
        if (error == null && response.statusCode() / 100 == 2) {
          delivered.incrementAndGet();
          if (attempts > 1) {
            log.info("webhook {} took the notification of {} at attempt {}", url, groupKey, attempts);
          }
          return;
        }
        failedAttempts.incrementAndGet();
        String why = error != null ? error.toString() : "HTTP " + response.statusCode();
        boolean refused = error == null && response.statusCode() / 100 == 4 && response.statusCode() != 429;
        if (refused || System.nanoTime() >= giveUpAtNanos) {
          givenUp.incrementAndGet();
          log.error("webhook {}: giving up the notification of {} after {} attempts: {}", url, groupKey, attempts,
              why);
          return;
        }
        long delay = backoff.nextDelayMillis();
        if (attempts == 1) {
          log.warn("webhook {}: {}; retrying the notification of {} with backoff", url, why, groupKey);
        }
        try {
          retries.schedule(this::attempt, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
          log.warn("webhook {}: not retrying the notification of {}: stopping", url, groupKey);
        }
      });
    }
  }

  @Override
  public void close() {
    retries.shutdownNow();
  }
}
