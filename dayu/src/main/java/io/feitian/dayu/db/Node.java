package io.feitian.dayu.db;

import java.time.Instant;
import java.util.Optional;
import java.util.SortedSet;

/**
 * A node of a cluster and its roles. {@code registeredAt} and
 * {@code lastSeenAt} stay empty until the node's dayu-agent first checks in.
 */
public record Node(String cluster, String host, String rack, State state, SortedSet<String> roles,
    Instant addedAt, Optional<Instant> registeredAt, Optional<Instant> lastSeenAt) {

  public enum State {
    /** Added by an operator; its agent has not checked in yet. */
    NEW,
    ONLINE,
    OFFLINE,
    /** Being emptied before removal: no new work, no rollout steps. */
    DRAINING
  }
}
