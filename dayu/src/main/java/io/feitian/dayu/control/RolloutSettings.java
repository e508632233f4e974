package io.feitian.dayu.control;

import com.typesafe.config.Config;
import java.time.Duration;

/** {@code dayu.rollouts} of the configuration: how dayu-server drives rollouts. */
public record RolloutSettings(Duration agentGrace, Duration tick) {

  public RolloutSettings {
    if (agentGrace.isNegative() || tick.isNegative() || tick.isZero()) {
      throw new IllegalArgumentException("dayu.rollouts: agent-grace must be >= 0 and tick > 0, got "
          + agentGrace + " and " + tick);
    }
  }

  public static RolloutSettings from(Config config) {
    Config r = config.getConfig("dayu.rollouts");
    return new RolloutSettings(r.getDuration("agent-grace"), r.getDuration("tick"));
  }
}
