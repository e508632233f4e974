package io.feitian.common.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** A node's id in the cluster, as every per-node daemon (task-worker, Shennong's agent and inspector) names it. */
public final class NodeId {
  public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

  private NodeId() {}

  /** The configured id, or the host name when it is blank; {@code key} names the setting in errors. */
  public static String resolve(String key, String configured) {
    String nodeId = configured;
    if (nodeId.isBlank()) {
      try {
        nodeId = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException(key + " is empty and the host name is unknown", e);
      }
    }
    if (!PATTERN.matcher(nodeId).matches()) {
      throw new IllegalArgumentException(key + " must match " + PATTERN + ", got '" + nodeId + "'");
    }
    return nodeId;
  }
}
