package io.feitian.shennong.series;

/** Receives the series a selector matched; must not change the store while it runs. */
@FunctionalInterface
public interface SeriesVisitor {
  void visit(SeriesKey key, SeriesWindow window);
}
