package io.feitian.dayu.db;

import java.time.Instant;
import java.util.List;

/** A batch of a rollout (numbered from 0) and its hosts, in host order. */
public record RolloutBatch(long rolloutId, int batchNo, State state, List<String> hosts, Instant updatedAt) {

  public enum State { PENDING, RUNNING, SUCCEEDED, FAILED, SKIPPED }
}
