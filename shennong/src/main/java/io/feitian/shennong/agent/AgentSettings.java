package io.feitian.shennong.agent;

import com.typesafe.config.Config;
import io.feitian.common.config.NodeId;
import io.feitian.common.grpc.Advertised;
import io.feitian.shennong.expose.MetricsEndpoint;
import io.feitian.shennong.series.StoreLimits;
import java.time.Duration;

/** shennong-agent's part of the configuration, checked. */
public record AgentSettings(String nodeId, String rack, String bind, int port, String advertise, StoreLimits limits,
    Duration evaluationDelay, Duration reconnectBackoff, Duration reconnectBackoffMax, MetricsEndpoint metrics) {

  public static AgentSettings from(Config config) {
    Config a = config.getConfig("shennong.agent");
    long retentionMs = a.getDuration("retention").toMillis();
    StoreLimits limits;
    try {
      limits = new StoreLimits(retentionMs, a.getInt("samples-per-series"), a.getInt("series-per-source"),
          a.getInt("max-series"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("shennong.agent: " + e.getMessage(), e);
    }
    int port = a.getInt("port");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("shennong.agent.port out of range: " + port);
    }
    return new AgentSettings(NodeId.resolve("shennong.agent.node-id", a.getString("node-id")), a.getString("rack"),
        a.getString("bind"), port, a.getString("advertise"), limits, a.getDuration("evaluation-delay"),
        a.getDuration("reconnect-backoff"), a.getDuration("reconnect-backoff-max"),
        MetricsEndpoint.from(config, "shennong.agent"));
  }

  public Advertised advertised(int actualPort, String zkConnect) {
    return Advertised.choose("shennong.agent.advertise", advertise, bind, actualPort, zkConnect);
  }
}
