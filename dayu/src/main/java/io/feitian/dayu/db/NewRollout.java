package io.feitian.dayu.db;

import java.util.List;
import java.util.Optional;

/**
 * What a new rollout is: {@code batches} lists the hosts of each batch in
 * order; every host is a node of the cluster and appears once.
 */
public record NewRollout(String cluster, String module, Rollout.Kind kind, Optional<String> fromVersion,
    String toVersion, String strategy, String createdBy, List<List<String>> batches) {}
