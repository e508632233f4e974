package io.feitian.dayu.db;

import java.time.Instant;

/**
 * A step of a node's task in a rollout (fetch, verify, stop, install, ...), as
 * last reported by the node's agent.
 */
public record NodeStep(long rolloutId, String host, String step, Status status, int attempt, String message,
    Instant startedAt, Instant updatedAt) {

  public enum Status {
    PENDING, RUNNING, SUCCEEDED, FAILED, SKIPPED;

    public boolean finished() {
      return this == SUCCEEDED || this == FAILED || this == SKIPPED;
    }
  }
}
