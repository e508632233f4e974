package io.feitian.dayu.db;

import java.util.List;

/** A role of a cluster and the hosts that hold it, in host order. */
public record Role(String cluster, String name, List<String> hosts) {}
