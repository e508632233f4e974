package io.feitian.shennong.analysis;

/**
 * The history of one total for one group: a fine ring (one total per fine step) and a coarse ring (per coarse
 * step, the average and the maximum of its fine totals). The coarse point of the current coarse step is formed
 * again at each fine step from the fine ring, so it always holds what the step has so far, and nothing but the
 * rings needs to be kept (or snapshotted).
 */
final class TotalHistory {
  private final StepRing fine;
  private final StepRing coarseAvg;
  private final StepRing coarseMax;
  private final int finePerCoarse;

  TotalHistory(AnalysisSettings settings) {
    this.fine = new StepRing(settings.finePoints());
    this.coarseAvg = new StepRing(settings.coarsePoints());
    this.coarseMax = new StepRing(settings.coarsePoints());
    this.finePerCoarse = (int) (settings.coarseStepMs() / settings.fineStepMs());
  }

  /** Records the total of a fine step and forms its coarse step's point again. */
  void add(long fineStep, double total) {
    fine.put(fineStep, total);
    long coarseStep = Math.floorDiv(fineStep, finePerCoarse);
    double sum = 0;
    double max = Double.NEGATIVE_INFINITY;
    int count = 0;
    for (long s = coarseStep * finePerCoarse, end = s + finePerCoarse; s < end; s++) {
      double v = fine.get(s);
      if (!Double.isNaN(v)) {
        sum += v;
        max = Math.max(max, v);
        count++;
      }
    }
    coarseAvg.put(coarseStep, sum / count);
    coarseMax.put(coarseStep, max);
  }

  StepRing fine() {
    return fine;
  }

  StepRing coarseAvg() {
    return coarseAvg;
  }

  StepRing coarseMax() {
    return coarseMax;
  }

  /** Whether nothing is left within the coarse retention: the series can be forgotten. */
  boolean expiredAt(long coarseStepNow) {
    return coarseAvg.newest() <= coarseStepNow - coarseAvg.capacity();
  }

  /** Bytes kept per series: 26,064 with the defaults (360 fine points, 1,440 coarse points of two values). */
  long retainedBytes() {
    return fine.retainedBytes() + coarseAvg.retainedBytes() + coarseMax.retainedBytes() + 24;
  }
}
