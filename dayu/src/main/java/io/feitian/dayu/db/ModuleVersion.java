package io.feitian.dayu.db;

import java.time.Instant;

/** A published release package of a module: its checksum, size and deploy/upgrade descriptor. */
public record ModuleVersion(String module, String version, String sha256, long sizeBytes, String descriptor,
    Instant publishedAt, String publishedBy) {}
