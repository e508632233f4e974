package io.feitian.shennong.analysis;

import java.util.Map;

/**
 * One input series of one node (a name and its labels without {@code node}) while its steps are being formed: the
 * sum and count of its samples in each of the two steps still open, and the value it carries into steps it has no
 * sample in while it is fresh.
 */
final class InputSeries {
  private static final long NONE = Long.MIN_VALUE;

  final String name;
  final Map<String, String> labels;
  private final long[] step = {NONE, NONE};
  private final double[] sum = new double[2];
  private final int[] count = new int[2];
  private final long[] newestMs = new long[2];
  private long carriedMs = NONE;
  private double carried = Double.NaN;

  InputSeries(String name, Map<String, String> labels) {
    this.name = name;
    this.labels = labels;
  }

  /** Adds a sample of an open step; the caller keeps at most two steps open. */
  void add(long fineStep, long timestampMs, double value) {
    int i = (int) (fineStep & 1);
    if (step[i] != fineStep) {
      step[i] = fineStep;
      sum[i] = 0;
      count[i] = 0;
      newestMs[i] = NONE;
    }
    sum[i] += value;
    count[i]++;
    newestMs[i] = Math.max(newestMs[i], timestampMs);
  }

  /**
   * Closes a step and returns the series' value in it: the average of its samples in the step, else the value it
   * carries from its newest earlier step if that step's newest sample is younger than {@code stalenessMs} at the
   * step's end, else NaN (the series does not count).
   */
  double close(long fineStep, long stepEndMs, long stalenessMs) {
    int i = (int) (fineStep & 1);
    if (step[i] == fineStep) {
      step[i] = NONE;
      carried = sum[i] / count[i];
      carriedMs = newestMs[i];
      return carried;
    }
    return carriedMs != NONE && carriedMs > stepEndMs - stalenessMs ? carried : Double.NaN;
  }

  /** Whether the series has nothing open and would count in no later step. */
  boolean forgettable(long stepEndMs, long stalenessMs) {
    return step[0] == NONE && step[1] == NONE && (carriedMs == NONE || carriedMs <= stepEndMs - stalenessMs);
  }
}
