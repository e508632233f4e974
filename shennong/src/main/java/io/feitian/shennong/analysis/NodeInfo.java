package io.feitian.shennong.analysis;

/** What the analysis core knows of a node beyond its samples: where it stands and what it does. */
public record NodeInfo(String node, String rack, String role) {
  public NodeInfo {
    if (node == null || node.isEmpty()) {
      throw new IllegalArgumentException("node must not be empty");
    }
    rack = rack == null ? "" : rack;
    role = role == null ? "" : role;
  }
}
