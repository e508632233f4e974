package io.feitian.dayu.rollout;

import java.util.Map;
import java.util.Set;

/** A node as the configuration database knows it: its roles, the version of each module installed ({@code versions}), and whether its agent is connected. */
public record NodeView(String id, Set<String> roles, Map<String, String> versions, boolean up) {
  public NodeView {
    roles = Set.copyOf(roles);
    versions = Map.copyOf(versions);
  }

  NodeView withUp(boolean isUp) {
    return new NodeView(id, roles, versions, isUp);
  }

  NodeView withVersion(String module, String version) {
    Map<String, String> v = new java.util.HashMap<>(versions);
    if (version.isEmpty()) {
      v.remove(module);
    } else {
      v.put(module, version);
    }
    return new NodeView(id, roles, v, up);
  }
}
