package io.feitian.dayu.db;

import io.feitian.dayu.rollout.Kind;
import io.feitian.dayu.rollout.Status;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A rollout of a cluster as stored: what it installs ({@code targets}, module to version, "" to
 * remove the module), the nodes the request named, its state, and the rollout core's serialized
 * state ({@code controllerState}, opaque here). {@code rev} grows with every update; writers pass
 * the rev they read (compare-and-set), so a server that lost its leadership cannot overwrite its
 * successor's progress. {@code repairsPending}: nodes that were away still have work after the
 * rollout ended; a new leader resumes such rollouts too.
 */
public record Rollout(long id, String cluster, Kind kind, Map<String, String> targets, Set<String> nodes,
    String strategy, State state, boolean paused, String createdBy, Instant createdAt, Instant updatedAt, long rev,
    byte[] controllerState, boolean repairsPending) {

  public Rollout {
    targets = Collections.unmodifiableSortedMap(new TreeMap<>(targets));
    nodes = Collections.unmodifiableSortedSet(new TreeSet<>(nodes));
  }

  /**
   * The rollout core's {@link Status}, by the same names. RUNNING and ROLLING_BACK are active: at
   * most one active rollout per cluster. SUCCEEDED and ROLLED_BACK are terminal. FAILED and
   * ABORTED wait for the operator, whose rollback makes the rollout active again.
   */
  public enum State {
    RUNNING, SUCCEEDED, FAILED, ABORTED, ROLLING_BACK, ROLLED_BACK;

    public static State of(Status status) {
      return valueOf(status.name());
    }

    public boolean active() {
      return this == RUNNING || this == ROLLING_BACK;
    }

    public boolean terminal() {
      return this == SUCCEEDED || this == ROLLED_BACK;
    }

    /** Whether a rollout in this state may be updated to {@code next} (staying is always allowed). */
    public boolean mayBecome(State next) {
      return switch (this) {
        case RUNNING -> true;
        case ROLLING_BACK -> next == ROLLING_BACK || next == ROLLED_BACK || next == FAILED || next == ABORTED;
        case FAILED, ABORTED -> next == this || next == ROLLING_BACK;
        case SUCCEEDED, ROLLED_BACK -> next == this;
      };
    }
  }

  // A record compares arrays by identity: compare the controller state by content.
  @Override
  public boolean equals(Object o) {
    return o instanceof Rollout r && id == r.id && cluster.equals(r.cluster) && kind == r.kind
        && targets.equals(r.targets) && nodes.equals(r.nodes) && strategy.equals(r.strategy) && state == r.state
        && paused == r.paused && createdBy.equals(r.createdBy) && createdAt.equals(r.createdAt)
        && updatedAt.equals(r.updatedAt) && rev == r.rev && Arrays.equals(controllerState, r.controllerState)
        && repairsPending == r.repairsPending;
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, rev);
  }

  @Override
  public String toString() {
    return "Rollout[id=" + id + ", cluster=" + cluster + ", kind=" + kind + ", targets=" + targets + ", nodes="
        + nodes + ", state=" + state + (paused ? " (paused)" : "") + ", rev=" + rev + ", controllerState="
        + (controllerState == null ? "null" : controllerState.length + " bytes")
        + (repairsPending ? ", repairs pending" : "") + "]";
  }
}
