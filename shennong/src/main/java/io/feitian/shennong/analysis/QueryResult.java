package io.feitian.shennong.analysis;

import java.util.List;

/**
 * The answer to a {@link TotalsQuery}: one series per selected total and group, at the resolution chosen.
 *
 * @param resolutionMs the resolution the points were formed from (fine or coarse)
 * @param pointsTouched history points read to answer, the query's cost
 */
public record QueryResult(long resolutionMs, long stepMs, List<Series> series, long pointsTouched) {
  /** One total for one group; steps without data have no point. */
  public record Series(String total, String grouping, String group, List<Point> points) {}

  /**
   * The total over {@code [timeMs, timeMs + step)}: the average of the resolution's points in it and their maximum
   * (a coarse point's maximum is the largest fine total of its minute).
   */
  public record Point(long timeMs, double avg, double max) {}
}
