package io.feitian.client.cli.dayu;

import io.feitian.client.cli.DurationConverter;
import io.feitian.proto.dayu.v1.RolloutStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How a rollout moves through the nodes (docs/DAYU.md, "Strategy"). Options not given are left
 * unset, so the server's defaults apply; counts and percentages are checked by the server, which
 * names the field it refuses (strategy.batches[0]).
 */
final class StrategyOptions {
  @Option(names = "--batch", paramLabel = "SIZE", description = "Nodes per batch, a count or a percentage (25%);"
      + " repeat to ramp (--batch 1 --batch 50%), the last size repeating. Default 1.")
  List<String> batches = new ArrayList<>();

  @Option(names = "--canary", paramLabel = "N", description = "A first batch of N (or N%) nodes of each module in"
      + " which any failure stops the rollout.")
  String canary;

  @Option(names = "--min-healthy", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How long a finished batch must stay healthy before the next starts. Default 30s.")
  Duration minHealthy;

  @Option(names = "--max-unavailable", paramLabel = "ROLE=N", description = "At most N (or N%) of the role's nodes"
      + " unavailable at once (repeatable).")
  Map<String, String> maxUnavailable = new LinkedHashMap<>();

  @Option(names = "--default-max-unavailable", paramLabel = "N", description = "The same for roles not named.")
  String defaultMaxUnavailable;

  @Option(names = "--failure-threshold", paramLabel = "N", description = "Failed nodes tolerated over the whole"
      + " rollout; one more stops it. Default 0.")
  Integer failureThreshold;

  @Option(names = "--no-auto-rollback", description = "On a stop, end FAILED and wait for `rollback ID` instead of"
      + " rolling back at once.")
  boolean noAutoRollback;

  @Option(names = "--task-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "A node's task with no step reported this long has failed. Default 10m.")
  Duration taskTimeout;

  /** Whether any option was given (they mean nothing to a command on an existing rollout). */
  boolean given() {
    return !batches.isEmpty() || canary != null || minHealthy != null || !maxUnavailable.isEmpty()
        || defaultMaxUnavailable != null || failureThreshold != null || noAutoRollback || taskTimeout != null;
  }

  RolloutStrategy strategy(boolean interactive) {
    RolloutStrategy.Builder b = RolloutStrategy.newBuilder().addAllBatches(batches).putAllMaxUnavailable(maxUnavailable)
        .setInteractive(interactive);
    if (canary != null) {
      b.setCanary(canary);
    }
    if (minHealthy != null) {
      b.setMinHealthy(minHealthy.toMillis() + "ms");
    }
    if (defaultMaxUnavailable != null) {
      b.setDefaultMaxUnavailable(defaultMaxUnavailable);
    }
    if (failureThreshold != null) {
      b.setFailureThreshold(failureThreshold);
    }
    if (noAutoRollback) {
      b.setAutomaticRollback(false);
    }
    if (taskTimeout != null) {
      b.setTaskTimeout(taskTimeout.toMillis() + "ms");
    }
    return b.build();
  }
}
