package io.feitian.dayu.db;

import java.time.Instant;
import java.util.List;

/** One `params set`: its number in the cluster (1, 2, ...), who made it, when, why, and what it changed. */
public record ParamRevision(String cluster, long revision, String author, String reason, Instant createdAt,
    List<ParamChange> changes) {}
