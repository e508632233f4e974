package io.feitian.shennong.series;

/**
 * How much a {@link SeriesStore} keeps.
 *
 * @param retentionMs how long before its newest sample a series keeps samples
 * @param samplesPerSeries the most samples one series keeps
 * @param seriesPerSource the most series one source may create
 * @param maxSeries the most series the store holds in all
 */
public record StoreLimits(long retentionMs, int samplesPerSeries, int seriesPerSource, int maxSeries) {
  /** A day: timestamp offsets in a window are ints, and the longest window a subscription may ask for is an hour. */
  public static final long MAX_RETENTION_MS = 24L * 3600 * 1000;

  /** Two minutes at 1 s steps (121 samples, with room), 10,000 series per source, a million in all. */
  public static final StoreLimits DEFAULT = new StoreLimits(120_000, 128, 10_000, 1_000_000);

  public StoreLimits {
    if (retentionMs < 1000 || retentionMs > MAX_RETENTION_MS) {
      throw new IllegalArgumentException("retentionMs must be between 1000 and " + MAX_RETENTION_MS + ", got "
          + retentionMs);
    }
    if (samplesPerSeries < 2 || seriesPerSource < 1 || maxSeries < 1) {
      throw new IllegalArgumentException("samplesPerSeries (at least 2), seriesPerSource and maxSeries (at least 1)"
          + " are " + samplesPerSeries + ", " + seriesPerSource + ", " + maxSeries);
    }
  }
}
