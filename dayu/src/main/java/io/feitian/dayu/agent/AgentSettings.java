package io.feitian.dayu.agent;

import com.typesafe.config.Config;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code dayu.agent} of the configuration: which dayu-server to follow, as which node of which
 * cluster, and where the node's modules live.
 *
 * @param server dayu-server's host:port; "" means the elected one, found through ZooKeeper
 * @param host the node's host as the configuration database knows it; "" in the file means the
 *     machine's host name
 * @param fullSync how often the agent reopens its Watch to receive everything outstanding again
 *     (a safety net under the stream), spread by up to a fifth at random
 */
public record AgentSettings(String server, String cluster, String host, Path root, Duration fullSync,
    Duration reconnectBackoff, Duration reconnectBackoffMax) {

  public AgentSettings {
    if (cluster.isBlank()) {
      throw new IllegalArgumentException("dayu.agent.cluster must name the node's cluster");
    }
    if (fullSync.toMillis() < 1000) {
      throw new IllegalArgumentException("dayu.agent.full-sync must be at least 1s, got " + fullSync);
    }
  }

  public static AgentSettings from(Config config) {
    Config a = config.getConfig("dayu.agent");
    String host = a.getString("host");
    return new AgentSettings(a.getString("server"), a.getString("cluster"), host.isBlank() ? hostName() : host,
        Path.of(a.getString("root")), a.getDuration("full-sync"), a.getDuration("reconnect-backoff"),
        a.getDuration("reconnect-backoff-max"));
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("dayu.agent.host is empty and the machine's host name is unknown: "
          + e.getMessage(), e);
    }
  }
}
