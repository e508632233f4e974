package io.feitian.shennong.fanout;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The first message of a RAW or events subscription, gathered from the first report of every agent
 * it was pushed to. It is ready once each of them has reported or is lost, or when the grace has
 * passed: one slow agent delays the subscriber's first message by the grace at most. Reports that
 * arrive meanwhile (an agent's first, or its next ones) all belong to it.
 *
 * @param <V> what agents report: samples, or events
 */
final class FirstReports<V> {
  private final Map<String, List<V>> byAgent = new LinkedHashMap<>();
  private final Set<String> awaiting;
  private final long deadlineMs;
  private long omitted;

  FirstReports(Collection<String> awaiting, long deadlineMs) {
    this.awaiting = new HashSet<>(awaiting);
    this.deadlineMs = deadlineMs;
  }

  /** An agent's report; {@code omittedByAgent} are items it left out (they count as dropped). */
  void add(String agent, List<V> items, long omittedByAgent) {
    byAgent.computeIfAbsent(agent, a -> new ArrayList<>()).addAll(items);
    omitted += omittedByAgent;
    awaiting.remove(agent);
  }

  /** The agent was lost: it is not waited for. */
  void gone(String agent) {
    awaiting.remove(agent);
  }

  boolean ready(long nowMs) {
    return awaiting.isEmpty() || nowMs >= deadlineMs;
  }

  long deadlineMs() {
    return deadlineMs;
  }

  Map<String, List<V>> byAgent() {
    return byAgent;
  }

  long omitted() {
    return omitted;
  }
}
