package io.feitian.dayu.db;

import java.util.Optional;

/** A key whose value differs between two revisions; an empty side means the key was not set there. */
public record ParamDelta(String module, ParamScope scope, String target, String key, Optional<String> before,
    Optional<String> after) {}
