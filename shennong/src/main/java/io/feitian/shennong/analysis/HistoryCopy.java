package io.feitian.shennong.analysis;

import java.util.List;

/**
 * The history as it was at one moment, copied on the core's thread ({@link ClusterTotals#copy}) so
 * that its snapshot can be encoded on another ({@link #encode}). Copying the rings costs array
 * copies; encoding builds the protobuf message and its checksum, the costly part (about 45 MB
 * at 100 nodes). Nothing here changes once made.
 */
public final class HistoryCopy {
  /** One series' rings from their first step with data to their newest. */
  record Series(ClusterTotals.SeriesId id, long fineFirstStep, double[] fine, long coarseFirstStep,
                double[] coarseAvg, double[] coarseMax) {}

  private final long takenAtMs;
  private final long fineStepMs;
  private final long coarseStepMs;
  private final long nextFineStep;
  private final List<Series> series;

  HistoryCopy(long takenAtMs, long fineStepMs, long coarseStepMs, long nextFineStep, List<Series> series) {
    this.takenAtMs = takenAtMs;
    this.fineStepMs = fineStepMs;
    this.coarseStepMs = coarseStepMs;
    this.nextFineStep = nextFineStep;
    this.series = List.copyOf(series);
  }

  /** The snapshot's bytes ({@link TotalsSnapshot} for the format); safe on any thread. */
  public byte[] encode() {
    return TotalsSnapshot.encode(this);
  }

  long takenAtMs() {
    return takenAtMs;
  }

  long fineStepMs() {
    return fineStepMs;
  }

  long coarseStepMs() {
    return coarseStepMs;
  }

  long nextFineStep() {
    return nextFineStep;
  }

  List<Series> series() {
    return series;
  }
}
