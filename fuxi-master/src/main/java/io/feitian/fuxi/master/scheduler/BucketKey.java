package io.feitian.fuxi.master.scheduler;

/** Identifies a demand bucket within one application. */
record BucketKey(String unit, LocalityLevel level, String target) {}
