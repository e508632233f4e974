package io.feitian.common.zk;

import com.typesafe.config.Config;
import java.time.Duration;

/** Where ZooKeeper is and how long a session lives without contact. */
public record ZkSettings(String connect, Duration sessionTimeout, Duration connectionTimeout, String namespace) {

  public ZkSettings {
    if (connect == null || connect.isBlank()) {
      throw new IllegalArgumentException("feitian.zookeeper.connect must not be empty");
    }
  }

  public static ZkSettings from(Config config) {
    Config zk = config.getConfig("feitian.zookeeper");
    String root = zk.getString("root").replaceAll("^/+|/+$", "");
    String cluster = config.getString("feitian.cluster-name");
    if (!cluster.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new IllegalArgumentException("feitian.cluster-name must match [A-Za-z0-9_.-]{1,64}, got '" + cluster + "'");
    }
    return new ZkSettings(zk.getString("connect"), zk.getDuration("session-timeout"),
        zk.getDuration("connection-timeout"), root.isEmpty() ? cluster : root + "/" + cluster);
  }
}
