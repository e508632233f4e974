package io.feitian.shennong.series;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SeriesWindowTest {
  private static final long T0 = 1_700_000_000_000L;

  @Test
  void keepsTheRetentionBeforeTheNewestSampleOldestFirst() {
    SeriesWindow w = new SeriesWindow(10_000, 128);
    for (int i = 0; i < 30; i++) {
      assertThat(w.append(T0 + i * 1000L, i)).isTrue();
    }
    // Newest at +29 s: the samples from +19 s on are within 10 s of it.
    assertThat(w.size()).isEqualTo(11);
    assertThat(w.timestampAt(0)).isEqualTo(T0 + 19_000);
    assertThat(w.valueAt(0)).isEqualTo(19);
    assertThat(w.newest()).isEqualTo(T0 + 29_000);
    assertThat(w.valueAt(10)).isEqualTo(29);
    assertThat(w.completeAfter()).isEqualTo(T0 + 18_000);
    assertThat(w.overflowed()).isZero();
  }

  @Test
  void theRingWrapsAroundAndStaysInOrder() {
    SeriesWindow w = new SeriesWindow(7_500, 8);
    for (int i = 0; i < 100; i++) {
      w.append(T0 + i * 1000L, i);
      for (int j = 1; j < w.size(); j++) {
        assertThat(w.timestampAt(j)).isGreaterThan(w.timestampAt(j - 1));
      }
    }
    assertThat(w.size()).isEqualTo(8);
    for (int j = 0; j < 8; j++) {
      assertThat(w.valueAt(j)).isEqualTo(92 + j);
    }
    assertThat(w.retainedBytes()).isEqualTo(2 * 16 + 8 * 4 + 8 * 8);
  }

  @Test
  void outOfOrderAndRepeatedTimestampsAreRefusedChangingNothing() {
    SeriesWindow w = new SeriesWindow(60_000, 128);
    w.append(T0 + 2000, 2);
    assertThat(w.append(T0 + 2000, 99)).isFalse();
    assertThat(w.append(T0 + 1000, 99)).isFalse();
    assertThat(w.size()).isEqualTo(1);
    assertThat(w.valueAt(0)).isEqualTo(2);
    assertThatThrownBy(() -> w.append(-1, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSeriesWrittenFasterThanItsLimitKeepsTheNewestAndSaysSinceWhenItIsComplete() {
    SeriesWindow w = new SeriesWindow(60_000, 16);
    for (int i = 0; i < 100; i++) {
      w.append(T0 + i * 100L, i);
    }
    assertThat(w.size()).isEqualTo(16);
    assertThat(w.overflowed()).isEqualTo(84);
    assertThat(w.timestampAt(0)).isEqualTo(T0 + 8400);
    assertThat(w.completeAfter()).isEqualTo(T0 + 8300);
  }

  @Test
  void findsTheFirstSampleAfterATime() {
    SeriesWindow w = new SeriesWindow(60_000, 128);
    for (int i = 0; i < 10; i++) {
      w.append(T0 + i * 1000L, i);
    }
    assertThat(w.firstIndexAfter(T0 - 1)).isZero();
    assertThat(w.firstIndexAfter(T0)).isEqualTo(1);
    assertThat(w.firstIndexAfter(T0 + 4500)).isEqualTo(5);
    assertThat(w.firstIndexAfter(T0 + 9000)).isEqualTo(10);
  }

  @Test
  void theDefaultWindowAtOneSecondStepsStaysUnderTwoKibibytes() {
    StoreLimits d = StoreLimits.DEFAULT;
    SeriesWindow w = new SeriesWindow(d.retentionMs(), d.samplesPerSeries());
    for (int i = 0; i < 600; i++) {
      w.append(T0 + i * 1000L, i);
      assertThat(w.retainedBytes()).isLessThanOrEqualTo(2048);
    }
    // Two minutes at 1 s, both ends included, and nothing lost to the sample limit.
    assertThat(w.size()).isEqualTo(121);
    assertThat(w.overflowed()).isZero();
    assertThat(w.retainedBytes()).isEqualTo(2 * 16 + 128 * 4 + 128 * 8);
  }

  @Test
  void aRarelyWrittenSeriesCostsLittle() {
    SeriesWindow w = new SeriesWindow(120_000, 128);
    w.append(T0, 1);
    assertThat(w.retainedBytes()).isEqualTo(2 * 16 + 8 * 4 + 8 * 8);
  }

  @Test
  void timestampsMoreThanAnIntApartFromTheFirstAreRebased() {
    SeriesWindow w = new SeriesWindow(StoreLimits.MAX_RETENTION_MS, 128);
    long t = T0;
    for (int i = 0; i < 40; i++) {
      t += 3_600_000L;
      w.append(t, i);
    }
    // Another 29 days: an int of milliseconds from the first sample (24.8 days) overflows, so the
    // window moves its base to the oldest sample it keeps (the retention keeps that within a day).
    for (long day = 0; day < 30; day++) {
      t += 23 * 3_600_000L;
      assertThat(w.append(t, day)).isTrue();
    }
    assertThat(w.newest()).isEqualTo(t);
    assertThat(w.valueAt(w.size() - 1)).isEqualTo(29);
    for (int j = 1; j < w.size(); j++) {
      assertThat(w.timestampAt(j) - w.timestampAt(j - 1)).isEqualTo(23 * 3_600_000L);
    }
  }
}
