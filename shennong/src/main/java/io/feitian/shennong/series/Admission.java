package io.feitian.shennong.series;

/** What a {@link SeriesStore} did with one sample. */
public enum Admission {
  ACCEPTED,
  /** Not newer than the newest sample of its series. */
  OUT_OF_ORDER,
  /** It would have created a series, and its source holds its limit of series. */
  SOURCE_SERIES_LIMIT,
  /** It would have created a series, and the store holds its limit of series. */
  STORE_SERIES_LIMIT
}
