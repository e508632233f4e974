package io.feitian.fuxi.master.membership;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * When each node was last heard from, and which ones have been silent too
 * long. A plain object: time is passed in, so tests drive it directly.
 */
public final class NodeLiveness {
  private final long timeoutMillis;
  private final Map<String, Long> lastHeard = new HashMap<>();

  public NodeLiveness(long timeoutMillis) {
    if (timeoutMillis <= 0) {
      throw new IllegalArgumentException("timeoutMillis must be positive");
    }
    this.timeoutMillis = timeoutMillis;
  }

  public void heard(String nodeId, long nowMillis) {
    lastHeard.put(nodeId, nowMillis);
  }

  /** Removes and returns the nodes not heard from for longer than the timeout. */
  public List<String> expire(long nowMillis) {
    List<String> lost = new ArrayList<>();
    lastHeard.entrySet().removeIf(e -> {
      if (nowMillis - e.getValue() > timeoutMillis) {
        lost.add(e.getKey());
        return true;
      }
      return false;
    });
    lost.sort(null);
    return lost;
  }
}
