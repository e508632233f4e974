package io.feitian.dayu.db;

/** A parameter's value at some revision, and the revision that set it. */
public record ParamValue(String module, ParamScope scope, String target, String key, String value, long setIn) {}
