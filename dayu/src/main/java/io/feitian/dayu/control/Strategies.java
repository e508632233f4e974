package io.feitian.dayu.control;

import io.feitian.dayu.descriptor.ParamType;
import io.feitian.dayu.rollout.Amount;
import io.feitian.dayu.rollout.Strategy;
import io.feitian.proto.dayu.v1.RolloutStrategy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A rollout strategy as the operator API gives it, read into the core's {@link Strategy}: unset
 * fields take {@link Strategy#defaults()}, and a bad value is refused naming its field
 * (IllegalArgumentException "strategy.batches[1] must be ...").
 */
public final class Strategies {
  private Strategies() {}

  public static Strategy from(RolloutStrategy s) {
    Strategy d = Strategy.defaults();
    List<Amount> batches = new ArrayList<>();
    for (int i = 0; i < s.getBatchesCount(); i++) {
      batches.add(field("strategy.batches[" + i + "]", s.getBatches(i), Amount::parse));
    }
    Map<String, Amount> maxUnavailable = new LinkedHashMap<>();
    s.getMaxUnavailableMap().forEach((role, amount) ->
        maxUnavailable.put(role, field("strategy.max_unavailable[" + role + "]", amount, Amount::parse)));
    int failureThreshold = s.hasFailureThreshold() ? s.getFailureThreshold() : d.failureThreshold();
    if (failureThreshold < 0) {
      throw new IllegalArgumentException("strategy.failure_threshold must not be negative, got " + failureThreshold);
    }
    long minHealthy = s.getMinHealthy().isEmpty() ? d.minHealthyMillis()
        : field("strategy.min_healthy", s.getMinHealthy(), ParamType::parseMillis);
    long taskTimeout = s.getTaskTimeout().isEmpty() ? d.taskTimeoutMillis()
        : field("strategy.task_timeout", s.getTaskTimeout(), ParamType::parseMillis);
    if (taskTimeout < 1) {
      throw new IllegalArgumentException("strategy.task_timeout must be positive, got \"" + s.getTaskTimeout() + "\"");
    }
    return new Strategy(
        batches.isEmpty() ? d.batches() : batches,
        s.getCanary().isEmpty() ? d.canary() : field("strategy.canary", s.getCanary(), Amount::parse),
        minHealthy,
        maxUnavailable,
        s.getDefaultMaxUnavailable().isEmpty() ? d.defaultMaxUnavailable()
            : field("strategy.default_max_unavailable", s.getDefaultMaxUnavailable(), Amount::parse),
        failureThreshold,
        s.hasAutomaticRollback() ? s.getAutomaticRollback() : d.automaticRollback(),
        s.getInteractive(),
        taskTimeout);
  }

  private static <T> T field(String name, String text, Function<String, T> parse) {
    try {
      return parse.apply(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + " " + e.getMessage(), e);
    }
  }
}
