package io.feitian.dayu.agent.node;

import java.util.Map;

/** The node an agent runs on, as the built-in placeholders {@code node.id}, {@code node.host} and {@code node.rack} name it. */
public record NodeIdentity(String id, String host, String rack) {
  Map<String, String> placeholders() {
    return Map.of("node.id", id, "node.host", host, "node.rack", rack);
  }
}
