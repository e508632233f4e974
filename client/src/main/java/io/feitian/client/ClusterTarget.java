package io.feitian.client;

import java.util.List;

/**
 * How a client finds the cluster: through ZooKeeper (where the leader is
 * elected), or through a list of fuxi-master addresses (any of them points
 * to the leader).
 */
public sealed interface ClusterTarget {
  record ZooKeeper(String connect, String clusterName, String root) implements ClusterTarget {}

  record Masters(List<String> addresses) implements ClusterTarget {
    public Masters {
      if (addresses.isEmpty()) {
        throw new IllegalArgumentException("at least one master address is needed");
      }
      addresses = List.copyOf(addresses);
    }
  }

  /**
   * Parses "zk://host:port[,host:port]" or "host:port[,host:port]" for
   * ZooKeeper, and "master://host:port[,host:port]" for masters.
   */
  static ClusterTarget parse(String text, String clusterName) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("cluster address is empty");
    }
    if (text.startsWith("master://")) {
      return new Masters(List.of(text.substring("master://".length()).split(",")));
    }
    String zk = text.startsWith("zk://") ? text.substring("zk://".length()) : text;
    return new ZooKeeper(zk, clusterName, "feitian");
  }
}
