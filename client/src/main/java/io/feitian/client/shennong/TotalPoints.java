package io.feitian.client.shennong;

import io.feitian.proto.shennong.v1.QueryResponse;
import io.feitian.proto.shennong.v1.TotalSeries;
import java.util.ArrayList;
import java.util.List;

/**
 * The points of a Query answer's series, read back from its packed columns (TotalSeries in
 * analysis.proto: point i at {@code start_ms + i * step_ms}, NaN for a step without data).
 */
public final class TotalPoints {
  private TotalPoints() {}

  /** The total over {@code [timeMs, timeMs + step)}: the average of the resolution's points in it and their maximum. */
  public record Point(long timeMs, double avg, double max) {}

  /** The series' steps with data, oldest first; {@code answer} gives the step. */
  public static List<Point> of(QueryResponse answer, TotalSeries series) {
    List<Point> out = new ArrayList<>(series.getAvgCount());
    for (int i = 0; i < series.getAvgCount(); i++) {
      double avg = series.getAvg(i);
      if (!Double.isNaN(avg)) {
        out.add(new Point(series.getStartMs() + i * answer.getStepMs(), avg, series.getMax(i)));
      }
    }
    return out;
  }
}
