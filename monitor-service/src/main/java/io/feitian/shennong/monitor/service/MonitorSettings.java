package io.feitian.shennong.monitor.service;

import com.typesafe.config.Config;
import io.feitian.common.grpc.Advertised;
import io.feitian.common.grpc.Listening;
import io.feitian.shennong.monitor.notify.NotifyPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** monitor-service's part of the configuration ({@code shennong.monitor}), checked. */
public record MonitorSettings(String bind, int port, String advertise, Path rulesDir, long evaluationIntervalMs,
                             NotifyPolicy policy, Webhooks webhooks, Path dataDir, long historyFileBytes,
                             int historyKept, long snapshotIntervalMs, long keepExpiredSilencesMs)
    implements Listening {

  /** Where and how notifications are posted. */
  public record Webhooks(List<URI> urls, String receiver, String externalUrl, Duration timeout, Duration backoff,
                         Duration backoffMax, Duration giveUpAfter) {
    public Webhooks {
      urls = List.copyOf(urls);
    }
  }

  public static MonitorSettings from(Config config) {
    Config m = config.getConfig("shennong.monitor");
    int port = m.getInt("port");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("shennong.monitor.port out of range: " + port);
    }
    long interval = m.getDuration("evaluation-interval").toMillis();
    if (interval <= 0) {
      throw new IllegalArgumentException("shennong.monitor.evaluation-interval must be positive, got " + interval + " ms");
    }
    NotifyPolicy policy;
    try {
      policy = new NotifyPolicy(m.getStringList("group-by"), m.getDuration("group-wait").toMillis(),
          m.getDuration("group-interval").toMillis(), m.getDuration("repeat-interval").toMillis());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("shennong.monitor: " + e.getMessage(), e);
    }
    List<URI> urls = new ArrayList<>();
    for (String url : m.getStringList("webhooks")) {
      URI uri;
      try {
        uri = URI.create(url);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("shennong.monitor.webhooks: not a URL: " + url, e);
      }
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException("shennong.monitor.webhooks: " + url + " is not an http(s) URL with a host");
      }
      urls.add(uri);
    }
    Webhooks webhooks = new Webhooks(urls, m.getString("receiver"), m.getString("external-url"),
        positive(m, "webhook-timeout"), positive(m, "webhook-backoff"), positive(m, "webhook-backoff-max"),
        positive(m, "webhook-give-up-after"));
    int kept = m.getInt("history-kept");
    if (kept < 0) {
      throw new IllegalArgumentException("shennong.monitor.history-kept must be at least 0, got " + kept);
    }
    return new MonitorSettings(m.getString("bind"), port, m.getString("advertise"), Path.of(m.getString("rules-dir")),
        interval, policy, webhooks, Path.of(m.getString("data-dir")), m.getBytes("history-file-bytes"), kept,
        positive(m, "snapshot-interval").toMillis(), positive(m, "keep-expired-silences").toMillis());
  }

  private static Duration positive(Config m, String key) {
    Duration d = m.getDuration(key);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("shennong.monitor." + key + " must be positive, got " + d);
    }
    return d;
  }

  @Override
  public Advertised advertised(int actualPort, String zkConnect) {
    return Advertised.choose("shennong.monitor.advertise", advertise, bind, actualPort, zkConnect);
  }
}
