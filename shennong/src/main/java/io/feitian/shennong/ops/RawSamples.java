package io.feitian.shennong.ops;

import io.feitian.shennong.select.Selector;
import io.feitian.shennong.series.SeriesKey;
import io.feitian.shennong.series.SeriesStore;

/**
 * The agent's side of a RAW subscription: the samples of matched series, without computing
 * anything. At most {@link WindowQuery#MAX_GROUPS} series are sent; the rest are counted.
 */
public final class RawSamples {
  /** Receives samples, series by series, oldest first within a series. */
  @FunctionalInterface
  public interface Sink {
    void sample(SeriesKey key, long timestampMs, double value);
  }

  private RawSamples() {}

  /** Samples in (afterMs, uptoMs] of every matched series; returns how many series were over the limit. */
  public static long between(SeriesStore store, Selector selector, long afterMs, long uptoMs, Sink sink) {
    SeriesLimit limit = new SeriesLimit();
    store.forEachMatching(selector, (key, window) -> {
      int first = window.firstIndexAfter(afterMs);
      int stop = window.firstIndexAfter(uptoMs);
      if (first < stop && limit.admit()) {
        for (int i = first; i < stop; i++) {
          sink.sample(key, window.timestampAt(i), window.valueAt(i));
        }
      }
    });
    return limit.over;
  }

  /** The newest sample at or before {@code uptoMs} of every matched series: a RAW subscriber's first message. */
  public static long newest(SeriesStore store, Selector selector, long uptoMs, Sink sink) {
    SeriesLimit limit = new SeriesLimit();
    store.forEachMatching(selector, (key, window) -> {
      int last = window.firstIndexAfter(uptoMs) - 1;
      if (last >= 0 && limit.admit()) {
        sink.sample(key, window.timestampAt(last), window.valueAt(last));
      }
    });
    return limit.over;
  }

  /** Counts the series with samples: the first MAX_GROUPS are sent, the rest only counted. */
  private static final class SeriesLimit {
    long sent;
    long over;

    boolean admit() {
      if (sent >= WindowQuery.MAX_GROUPS) {
        over++;
        return false;
      }
      sent++;
      return true;
    }
  }
}
