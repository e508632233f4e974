package io.feitian.shennong.ops;

import io.feitian.proto.shennong.v1.Operation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The master's side of a windowed subscription, for one window: merges the partials of the agents
 * into final values. Partials merge exactly (see {@link Partial}), so the result does not depend
 * on how series are spread over agents or in which order reports arrive; only quantiles carry the
 * t-digest's error. The daemon creates one per window with the agents it sent the subscription
 * to, feeds it reports as they come, and finishes it when {@link #complete()} or when the report
 * grace has passed; agents that had not reported are named in the result, never silently left out.
 */
public final class Merger {
  private final WindowQuery query;
  private final long windowEndMs;
  private final Set<String> expected;
  private final Set<String> reported = new HashSet<>();
  private final Map<GroupKey, Partial> merged = new HashMap<>();
  private long incomplete;
  private long overLimit;

  public Merger(WindowQuery query, long windowEndMs, Collection<String> expectedAgents) {
    if (query.isRaw()) {
      throw new IllegalArgumentException("operation RAW has no window to merge");
    }
    this.query = query;
    this.windowEndMs = windowEndMs;
    this.expected = Set.copyOf(expectedAgents);
  }

  /**
   * Adds one agent's report, taking ownership of its partials (the first of a group is kept and
   * merged into, not copied: a group seen by one agent keeps its digest exactly). An agent not
   * expected (it registered after the window began) counts too: its data is real. A second
   * report from the same agent is ignored, so a resent report is not counted twice; returns
   * whether the report was taken.
   */
  public boolean add(String agent, Evaluation report) {
    if (!reported.add(agent)) {
      return false;
    }
    incomplete += report.incompleteSeries();
    overLimit += report.groupsOverLimit();
    for (Map.Entry<GroupKey, Partial> e : report.groups().entrySet()) {
      Partial p = merged.get(e.getKey());
      if (p != null) {
        p.merge(e.getValue());
      } else if (merged.size() < WindowQuery.MAX_GROUPS) {
        merged.put(e.getKey(), e.getValue());
      } else {
        overLimit++;
      }
    }
    return true;
  }

  /** Whether every expected agent has reported. */
  public boolean complete() {
    return reported.containsAll(expected);
  }

  /** The final values, with the agents that did not report named. */
  public MergedWindow finish() {
    Map<GroupKey, GroupValue> values = new LinkedHashMap<>();
    merged.keySet().stream().sorted().forEach(k -> values.put(k, value(merged.get(k))));
    Set<String> missing = new TreeSet<>(expected);
    missing.removeAll(reported);
    return new MergedWindow(query.windowStart(windowEndMs), values, List.copyOf(missing), incomplete, overLimit);
  }

  private GroupValue value(Partial p) {
    Operation op = query.operation();
    if (op == Operation.OPERATION_QUANTILE) {
      List<Double> estimates = new ArrayList<>(query.quantiles().size());
      for (double q : query.quantiles()) {
        estimates.add(p.quantile(q));
      }
      return new GroupValue(Double.NaN, List.copyOf(estimates), p.count(), p.series());
    }
    double value = switch (op) {
      case OPERATION_SUM -> p.sum();
      case OPERATION_AVG -> p.sum() / p.count();
      case OPERATION_MIN -> p.min();
      case OPERATION_MAX -> p.max();
      case OPERATION_COUNT -> p.count();
      case OPERATION_RATE -> p.increase() / (query.windowMs() / 1000.0);
      default -> throw new IllegalStateException("no final value for " + op);
    };
    return new GroupValue(value, List.of(), p.count(), p.series());
  }
}
