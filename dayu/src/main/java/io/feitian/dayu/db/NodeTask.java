package io.feitian.dayu.db;

import java.time.Instant;

/**
 * One task of a rollout: a node's work on a module, forward or rollback, and how far it got. It
 * mirrors the rollout core's {@code Task}: {@code purpose} and {@code state} are the names of its
 * {@code Task.Purpose} and {@code Task.State}; versions are "" for "not installed"; {@code batch}
 * is -1 for a node that was away when its phase was planned. {@code detail} holds at most
 * {@link RolloutStore#MAX_DETAIL_CHARS} characters. {@code updatedAt} is set by the store (when
 * the row last changed) and ignored on writes.
 */
public record NodeTask(String host, String module, String purpose, String fromVersion, String toVersion, String state,
    int phase, int batch, int stepsDone, int stepCount, String detail, Instant updatedAt) {}
