package io.feitian.shennong.inspector;

import com.typesafe.config.Config;
import io.feitian.common.config.NodeId;
import io.feitian.common.grpc.Addresses;
import java.time.Duration;

/**
 * shennong-inspector's part of the configuration, checked.
 *
 * @param agent the node's agent, host:port ({@code feitian.shennong.agent}, as every daemon reports to)
 */
public record InspectorSettings(String nodeId, String agent, Duration interval, Duration discoveryInterval) {
  static final Duration MIN_INTERVAL = Duration.ofMillis(100);
  static final Duration MAX_INTERVAL = Duration.ofHours(1);

  public InspectorSettings {
    if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
      throw new IllegalArgumentException("shennong.inspector.interval must be between 100ms and 1h, got " + interval);
    }
    if (discoveryInterval.compareTo(interval) < 0 || discoveryInterval.compareTo(MAX_INTERVAL) > 0) {
      throw new IllegalArgumentException("shennong.inspector.discovery-interval must be between the interval ("
          + interval + ") and 1h, got " + discoveryInterval);
    }
  }

  public static InspectorSettings from(Config config) {
    Config c = config.getConfig("shennong.inspector");
    String agent = config.getString("feitian.shennong.agent");
    Addresses.requireHostPort("feitian.shennong.agent", agent);
    return new InspectorSettings(NodeId.resolve("shennong.inspector.node-id", c.getString("node-id")), agent,
        c.getDuration("interval"), c.getDuration("discovery-interval"));
  }
}
