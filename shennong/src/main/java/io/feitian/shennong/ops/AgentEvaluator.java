package io.feitian.shennong.ops;

import io.feitian.proto.shennong.v1.Operation;
import io.feitian.shennong.series.SeriesKey;
import io.feitian.shennong.series.SeriesStore;
import io.feitian.shennong.series.SeriesWindow;
import java.util.HashMap;
import java.util.Map;

/**
 * The agent's side of a windowed subscription: the partial result of every group over the
 * samples this agent holds for one window. It reads the store and changes nothing; cost is the
 * number of matched series (a binary search each) plus the samples in the window.
 */
public final class AgentEvaluator {
  private final WindowQuery query;
  private final long start;
  private final long end;
  private final Map<GroupKey, Partial> groups = new HashMap<>();
  private long incomplete;
  private long overLimit;

  private AgentEvaluator(WindowQuery query, long windowEndMs) {
    this.query = query;
    this.start = query.windowStart(windowEndMs);
    this.end = windowEndMs;
  }

  /** The partials of the window (windowEndMs - window, windowEndMs]. */
  public static Evaluation evaluate(SeriesStore store, WindowQuery query, long windowEndMs) {
    if (query.isRaw()) {
      throw new IllegalArgumentException("operation RAW has no window to evaluate");
    }
    AgentEvaluator e = new AgentEvaluator(query, windowEndMs);
    store.forEachMatching(query.selector(), e::visit);
    return new Evaluation(e.groups, e.incomplete, e.overLimit);
  }

  private void visit(SeriesKey key, SeriesWindow window) {
    int first = window.firstIndexAfter(start);
    int stop = window.firstIndexAfter(end);
    if (first >= stop) {
      return;
    }
    GroupKey group = GroupKey.of(key, query.groupBy());
    Partial p = groups.get(group);
    if (p == null) {
      if (groups.size() >= WindowQuery.MAX_GROUPS) {
        overLimit++;
        return;
      }
      p = Partial.empty(query.operation());
      groups.put(group, p);
    }
    if (window.completeAfter() > start) {
      incomplete++;
    }
    for (int i = first; i < stop; i++) {
      p.add(window.valueAt(i));
    }
    p.addSeries();
    if (query.operation() == Operation.OPERATION_RATE) {
      p.addIncrease(increase(window, first, stop));
    }
  }

  /**
   * The counter's increase over the window: from the last sample at or before the window's start
   * when the series still holds one (so adjacent windows add up to the whole), else from its first
   * sample in the window, to its last sample in the window. A decrease is a counter reset, as in
   * Prometheus' rate(): the counter restarted from zero, so the new value is all increase.
   */
  static double increase(SeriesWindow window, int first, int stop) {
    int from = first > 0 ? first - 1 : first;
    double previous = window.valueAt(from);
    double increase = 0;
    for (int i = from + 1; i < stop; i++) {
      double v = window.valueAt(i);
      increase += v >= previous ? v - previous : v;
      previous = v;
    }
    return increase;
  }
}
