package io.feitian.shennong.analysis;

/**
 * How the analysis core keeps history. Durations are milliseconds.
 *
 * @param fineStepMs the fine resolution (10 s): each total is formed once per fine step
 * @param fineRetentionMs how far back the fine history reaches (1 h)
 * @param coarseStepMs the coarse resolution (1 min), a multiple of the fine one
 * @param coarseRetentionMs how far back the coarse history reaches (24 h)
 * @param stalenessMs a series silent this long no longer counts in any total (15 s)
 * @param graceMs a fine step is formed this long after it ended, so samples sent at its end arrive (2 s)
 * @param maxSeries history series (total, grouping, group) kept at most; more are refused and counted (10,000)
 */
public record AnalysisSettings(long fineStepMs, long fineRetentionMs, long coarseStepMs, long coarseRetentionMs,
    long stalenessMs, long graceMs, int maxSeries) {
  public AnalysisSettings {
    if (fineStepMs < 1000) {
      throw new IllegalArgumentException("fine-step is " + fineStepMs + " ms; at least 1000 ms is allowed");
    }
    multiple("fine-retention", fineRetentionMs, "fine-step", fineStepMs);
    multiple("coarse-step", coarseStepMs, "fine-step", fineStepMs);
    multiple("coarse-retention", coarseRetentionMs, "coarse-step", coarseStepMs);
    if (fineRetentionMs < coarseStepMs) {
      // The coarse point of the current step is the average of its fine points, read back from the fine ring.
      throw new IllegalArgumentException("fine-retention (" + fineRetentionMs + " ms) must hold at least one coarse-step ("
          + coarseStepMs + " ms)");
    }
    if (coarseRetentionMs < fineRetentionMs) {
      throw new IllegalArgumentException("coarse-retention (" + coarseRetentionMs
          + " ms) must be at least fine-retention (" + fineRetentionMs + " ms)");
    }
    if (points(fineRetentionMs, fineStepMs) > 1_000_000 || points(coarseRetentionMs, coarseStepMs) > 1_000_000) {
      throw new IllegalArgumentException("a retention holds more than 1,000,000 steps");
    }
    if (stalenessMs < fineStepMs) {
      throw new IllegalArgumentException("staleness (" + stalenessMs + " ms) must be at least fine-step ("
          + fineStepMs + " ms): a series reporting once per step would count in every other step only");
    }
    if (graceMs < 0 || graceMs >= fineStepMs) {
      throw new IllegalArgumentException("grace is " + graceMs + " ms; it must be at least 0 and below fine-step ("
          + fineStepMs + " ms)");
    }
    if (maxSeries < 1) {
      throw new IllegalArgumentException("max-series is " + maxSeries + "; at least 1 is allowed");
    }
  }

  /** 10 s for the last hour, 1 min for 24 hours, as issue 14 asks. */
  public static AnalysisSettings defaults() {
    return new AnalysisSettings(10_000, 3_600_000, 60_000, 86_400_000, 15_000, 2_000, 10_000);
  }

  /** Points in the fine ring (360 by default). */
  public int finePoints() {
    return (int) points(fineRetentionMs, fineStepMs);
  }

  /** Points in the coarse ring (1,440 by default). */
  public int coarsePoints() {
    return (int) points(coarseRetentionMs, coarseStepMs);
  }

  private static long points(long retention, long step) {
    return retention / step;
  }

  private static void multiple(String field, long value, String ofField, long of) {
    if (value < of || value % of != 0) {
      throw new IllegalArgumentException(field + " is " + value + " ms; it must be a positive multiple of " + ofField
          + " (" + of + " ms)");
    }
  }
}
