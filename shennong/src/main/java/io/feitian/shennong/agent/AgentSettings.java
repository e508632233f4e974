package io.feitian.shennong.agent;

import com.typesafe.config.Config;
import io.feitian.common.config.NodeId;
import io.feitian.common.grpc.Advertised;
import io.feitian.shennong.expose.MetricsEndpoint;
import io.feitian.shennong.series.EventLog;
import io.feitian.shennong.series.StoreLimits;
import java.time.Duration;

/** shennong-agent's part of the configuration, checked. */
public record AgentSettings(String nodeId, String rack, String bind, int port, String advertise, StoreLimits limits,
    Duration eventRetention, int eventsKept, Duration evaluationDelayMin, Duration evaluationDelay, Duration reconnectBackoff, Duration reconnectBackoffMax, MetricsEndpoint metrics) {

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
    Duration eventRetention = a.getDuration("event-retention");
    int eventsKept = a.getInt("events-kept");
    if (eventRetention.toMillis() < 1 || eventsKept < 1) {
      throw new IllegalArgumentException("shennong.agent.event-retention and events-kept must be positive, got "
          + eventRetention + " and " + eventsKept);
    }
    Duration delayMin = a.getDuration("evaluation-delay-min");
    Duration delay = a.getDuration("evaluation-delay");
    if (delayMin.isNegative() || delay.compareTo(delayMin) < 0) {
      throw new IllegalArgumentException("shennong.agent.evaluation-delay-min must be at least 0 and at most "
          + "evaluation-delay, got " + delayMin.toMillis() + " ms and " + delay.toMillis() + " ms");
    }
    int port = a.getInt("port");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("shennong.agent.port out of range: " + port);
    }
    return new AgentSettings(NodeId.resolve("shennong.agent.node-id", a.getString("node-id")), a.getString("rack"),
        a.getString("bind"), port, a.getString("advertise"), limits, eventRetention, eventsKept, delayMin, delay,
        a.getDuration("reconnect-backoff"), a.getDuration("reconnect-backoff-max"),
        MetricsEndpoint.from(config, "shennong.agent"));
  }

  /** An empty event log of the configured size. */
  public EventLog eventLog() {
    return new EventLog(eventRetention.toMillis(), eventsKept);
  }

  public Advertised advertised(int actualPort, String zkConnect) {
    return Advertised.choose("shennong.agent.advertise", advertise, bind, actualPort, zkConnect);
  }
}
