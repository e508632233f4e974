package io.feitian.dayu.db;

import java.time.Instant;
import java.util.Optional;

/**
 * A rollout of a module in a cluster as stored: what it does, its state, and
 * the rollout controller's serialized state. {@code rev} grows with every
 * update; writers pass the rev they read (compare-and-set), so a server that
 * lost its leadership cannot overwrite its successor's progress.
 */
public record Rollout(long id, String cluster, String module, Kind kind, Optional<String> fromVersion,
    String toVersion, String strategy, State state, String createdBy, Instant createdAt, Instant updatedAt,
    long rev, Optional<byte[]> controllerState) {

  public enum Kind { DEPLOY, UPGRADE, SCALE_OUT, SCALE_IN, ROLLBACK }

  /** PENDING, RUNNING and PAUSED are unfinished: at most one such rollout per module and cluster. */
  public enum State {
    PENDING, RUNNING, PAUSED, SUCCEEDED, FAILED, ABORTED, ROLLED_BACK;

    public boolean finished() {
      return ordinal() >= SUCCEEDED.ordinal();
    }
  }
}
