package io.feitian.shennong.analysis;

import io.feitian.shennong.select.LabelMatcher;
import io.feitian.shennong.select.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Checks a {@link TotalsQuery}, picks its resolution and reads the rings. */
final class QueryEngine {
  /** Points per series in one answer. */
  static final int MAX_POINTS = 11_000;

  private QueryEngine() {}

  static QueryResult run(ClusterTotals core, TotalsQuery q, long nowMs) {
    AnalysisSettings s = core.settings();
    Grouping grouping;
    try {
      grouping = Grouping.named(q.grouping() == null ? "" : q.grouping());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("grouping: " + e.getMessage());
    }
    Selector selector = selector(q.selector(), grouping);
    List<Total> totals = new ArrayList<>();
    for (Total t : Total.values()) {
      if (selector.matchesName(t.totalName())) {
        totals.add(t);
      }
    }
    if (totals.isEmpty()) {
      throw new IllegalArgumentException("selector: " + q.selector() + " names no total; the totals are "
          + String.join(", ", Total.names()));
    }

    if (q.startMs() <= 0) {
      throw new IllegalArgumentException("range: start " + q.startMs() + " must be positive (ms since the epoch)");
    }
    if (q.endMs() < q.startMs()) {
      throw new IllegalArgumentException("range: end " + q.endMs() + " is before start " + q.startMs());
    }
    if (q.startMs() > nowMs) {
      throw new IllegalArgumentException("range: start " + q.startMs() + " is after now (" + nowMs + ")");
    }
    boolean fine = q.startMs() >= nowMs - s.fineRetentionMs();
    if (!fine && q.startMs() < nowMs - s.coarseRetentionMs()) {
      throw new IllegalArgumentException("range: start " + q.startMs() + " is " + (nowMs - q.startMs())
          + " ms ago, beyond the " + s.coarseRetentionMs() + " ms of history kept");
    }
    long resolution = fine ? s.fineStepMs() : s.coarseStepMs();
    if (q.stepMs() < resolution) {
      throw new IllegalArgumentException("step: " + q.stepMs() + " ms is finer than the " + resolution
          + " ms resolution kept for a range starting " + (nowMs - q.startMs()) + " ms ago");
    }
    if (q.stepMs() % resolution != 0) {
      throw new IllegalArgumentException("step: " + q.stepMs() + " ms is not a multiple of the " + resolution
          + " ms resolution");
    }
    long first = Math.floorDiv(q.startMs() + q.stepMs() - 1, q.stepMs()) * q.stepMs();
    long points = first > q.endMs() ? 0 : (q.endMs() - first) / q.stepMs() + 1;
    if (points > MAX_POINTS) {
      throw new IllegalArgumentException("step: " + q.stepMs() + " ms gives " + points + " points over the range; at most "
          + MAX_POINTS + " are allowed");
    }

    List<QueryResult.Series> out = new ArrayList<>();
    long touched = 0;
    long perStep = q.stepMs() / resolution;
    for (Total total : totals) {
      for (Map.Entry<String, TotalHistory> g : core.groups(total, grouping).entrySet()) {
        String group = g.getKey();
        if (!selector.matchesLabels(label -> label.equals(grouping.label()) ? group : "")) {
          continue;
        }
        StepRing avg = fine ? g.getValue().fine() : g.getValue().coarseAvg();
        StepRing max = fine ? g.getValue().fine() : g.getValue().coarseMax();
        List<QueryResult.Point> series = new ArrayList<>();
        for (long t = first; t <= q.endMs(); t += q.stepMs()) {
          long from = t / resolution;
          double sum = 0;
          double top = Double.NEGATIVE_INFINITY;
          int n = 0;
          for (long step = from; step < from + perStep; step++) {
            double v = avg.get(step);
            touched++;
            if (!Double.isNaN(v)) {
              sum += v;
              top = Math.max(top, max.get(step));
              n++;
            }
          }
          if (n > 0) {
            series.add(new QueryResult.Point(t, sum / n, top));
          }
        }
        out.add(new QueryResult.Series(total.totalName(), grouping.label(), group, List.copyOf(series)));
      }
    }
    return new QueryResult(resolution, q.stepMs(), List.copyOf(out), touched);
  }

  private static Selector selector(String text, Grouping grouping) {
    if (text == null) {
      throw new IllegalArgumentException("selector: missing");
    }
    Selector selector = Selector.parse(text);
    for (LabelMatcher m : selector.matchers()) {
      if (!m.label().equals(grouping.label())) {
        throw new IllegalArgumentException("selector: matcher " + m + " reads label \"" + m.label()
            + "\"; totals grouped by " + grouping.label() + " have only that label");
      }
    }
    return selector;
  }
}
