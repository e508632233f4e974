package io.feitian.shennong.analysis.service;

import com.typesafe.config.Config;
import io.feitian.common.grpc.Advertised;
import io.feitian.common.grpc.Listening;
import io.feitian.shennong.analysis.AnalysisSettings;
import io.feitian.shennong.analysis.NodeInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * analysis-service's part of the configuration ({@code shennong.analysis}), checked.
 *
 * @param history how the core keeps history
 * @param nodes nodes' rack and role as configured (they win over what fuxi-master says)
 * @param httpPort the page's port ({@code http.port}): -1 off, 0 any free port
 */
public record AnalysisServiceSettings(String bind, int port, String advertise, Path dataDir, long snapshotIntervalMs,
                                      AnalysisSettings history, Map<String, NodeInfo> nodes,
                                      long nodeInfoIntervalMs, String httpBind, int httpPort) implements Listening {
  private static final String SECTION = "shennong.analysis";

  public static AnalysisServiceSettings from(Config config) {
    Config a = config.getConfig(SECTION);
    int port = a.getInt("port");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(SECTION + ".port out of range: " + port);
    }
    int httpPort = a.getInt("http.port");
    if (httpPort < -1 || httpPort > 65535) {
      throw new IllegalArgumentException(SECTION + ".http.port must be -1 (off), 0 (any) or a port, got " + httpPort);
    }
    AnalysisSettings history;
    try {
      history = new AnalysisSettings(ms(a, "fine-step"), ms(a, "fine-retention"), ms(a, "coarse-step"),
          ms(a, "coarse-retention"), ms(a, "staleness"), a.getDuration("grace").toMillis(), a.getInt("max-series"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(SECTION + ": " + e.getMessage(), e);
    }
    Map<String, NodeInfo> nodes = new TreeMap<>();
    Config n = a.getConfig("nodes");
    for (String node : n.root().keySet()) {
      Config c = n.getConfig("\"" + node + "\"");
      nodes.put(node, new NodeInfo(node, c.hasPath("rack") ? c.getString("rack") : "",
          c.hasPath("role") ? c.getString("role") : ""));
    }
    return new AnalysisServiceSettings(a.getString("bind"), port, a.getString("advertise"),
        Path.of(a.getString("data-dir")), ms(a, "snapshot-interval"), history, Map.copyOf(nodes),
        ms(a, "node-info-interval"), a.getString("http.bind"), httpPort);
  }

  private static long ms(Config a, String key) {
    Duration d = a.getDuration(key);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(SECTION + "." + key + " must be positive, got " + d);
    }
    return d.toMillis();
  }

  @Override
  public Advertised advertised(int actualPort, String zkConnect) {
    return Advertised.choose(SECTION + ".advertise", advertise, bind, actualPort, zkConnect);
  }
}
