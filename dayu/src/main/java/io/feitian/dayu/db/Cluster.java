package io.feitian.dayu.db;

import java.time.Instant;

/** A cluster running Feitian, one of several the database holds. */
public record Cluster(String name, String description, Instant createdAt, long paramRevision) {}
