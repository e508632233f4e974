package io.feitian.fuxi.master;

import com.typesafe.config.Config;
import io.feitian.common.grpc.Advertised;
import java.time.Duration;

/** fuxi-master's part of the configuration, checked. */
public record MasterSettings(
    String bind,
    int port,
    String advertise,
    Duration heartbeatInterval,
    Duration nodeTimeout,
    Duration recoveryWindow,
    Duration preemptionInterval,
    int maxMasterRestarts,
    Duration backoffInitial,
    Duration backoffMax,
    Duration killGrace,
    int badNodeReports,
    Duration badNodeWindow,
    int endedAppsKept,
    Duration endedAppRetention) {

  public MasterSettings {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("fuxi.master.port out of range: " + port);
    }
    positive("fuxi.master.heartbeat-interval", heartbeatInterval);
    positive("fuxi.master.node-timeout", nodeTimeout);
    if (nodeTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException("fuxi.master.node-timeout (" + nodeTimeout
          + ") must be at least twice fuxi.master.heartbeat-interval (" + heartbeatInterval + ")");
    }
    positive("fuxi.master.preemption-interval", preemptionInterval);
    positive("fuxi.master.child-master.backoff-initial", backoffInitial);
    if (maxMasterRestarts < 0) {
      throw new IllegalArgumentException("fuxi.master.child-master.max-restarts must be >= 0");
    }
    if (badNodeReports < 0) {
      throw new IllegalArgumentException("fuxi.master.bad-node-reports must be >= 0 (0 turns it off)");
    }
    positive("fuxi.master.bad-node-window", badNodeWindow);
    if (endedAppsKept < 0) {
      throw new IllegalArgumentException("fuxi.master.ended-apps.keep must be >= 0, got " + endedAppsKept);
    }
    positive("fuxi.master.ended-apps.retention", endedAppRetention);
  }

  private static void positive(String key, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(key + " must be positive, got " + d);
    }
  }

  public static MasterSettings from(Config config) {
    Config m = config.getConfig("fuxi.master");
    return new MasterSettings(
        m.getString("bind"),
        m.getInt("port"),
        m.getString("advertise"),
        m.getDuration("heartbeat-interval"),
        m.getDuration("node-timeout"),
        m.getDuration("recovery-window"),
        m.getDuration("preemption-interval"),
        m.getInt("child-master.max-restarts"),
        m.getDuration("child-master.backoff-initial"),
        m.getDuration("child-master.backoff-max"),
        m.getDuration("child-master.kill-grace"),
        m.getInt("bad-node-reports"),
        m.getDuration("bad-node-window"),
        m.getInt("ended-apps.keep"),
        m.getDuration("ended-apps.retention"));
  }

  /** The address to advertise once the server is bound to {@code actualPort}, and why. */
  public Advertised advertised(int actualPort, String zkConnect) {
    return Advertised.choose("fuxi.master.advertise", advertise, bind, actualPort, zkConnect);
  }
}
