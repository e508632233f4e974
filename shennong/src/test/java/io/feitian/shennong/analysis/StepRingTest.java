package io.feitian.shennong.analysis;

import static io.feitian.shennong.analysis.Script.T0;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The fixed rings: wrap-around, gaps, steps too old; and the coarse points formed from fine ones. */
class StepRingTest {
  @Test
  void aRingKeepsTheNewestCapacityStepsAcrossWrapAround() {
    StepRing ring = new StepRing(4);
    for (long s = 100; s < 110; s++) {
      assertThat(ring.put(s, s * 10)).isTrue();
    }
    assertThat(ring.newest()).isEqualTo(109);
    assertThat(ring.oldest()).isEqualTo(106);
    assertThat(ring.get(105)).isNaN();
    for (long s = 106; s < 110; s++) {
      assertThat(ring.get(s)).isEqualTo(s * 10);
    }
    assertThat(ring.get(110)).isNaN();
    // Too old for the ring: ignored, nothing overwritten.
    assertThat(ring.put(105, -1)).isFalse();
    assertThat(ring.get(109)).isEqualTo(1090);
    // An older step still held can be written again.
    assertThat(ring.put(107, 7)).isTrue();
    assertThat(ring.get(107)).isEqualTo(7);
  }

  @Test
  void skippedStepsReadAsNoDataNotAsWhatTheirSlotHeldBefore() {
    StepRing ring = new StepRing(4);
    for (long s = 0; s < 4; s++) {
      ring.put(s, 1);
    }
    ring.put(6, 2);
    assertThat(ring.get(3)).isEqualTo(1);
    assertThat(ring.get(4)).isNaN();
    assertThat(ring.get(5)).isNaN();
    assertThat(ring.get(6)).isEqualTo(2);
    // A jump beyond the whole ring clears it all.
    ring.put(100, 3);
    assertThat(ring.get(6)).isNaN();
    assertThat(ring.isEmpty()).isFalse();
    for (long s = 97; s < 100; s++) {
      assertThat(ring.get(s)).isNaN();
    }
    assertThat(new StepRing(3).isEmpty()).isTrue();
  }

  @Test
  void aCoarsePointIsTheAverageAndMaximumOfItsFineTotalsSoFar() {
    TotalHistory h = new TotalHistory(AnalysisSettings.defaults());
    long fine0 = T0 / 10_000;
    long coarse0 = T0 / 60_000;
    h.add(fine0, 10);
    h.add(fine0 + 1, 30);
    assertThat(h.coarseAvg().get(coarse0)).isEqualTo(20);
    assertThat(h.coarseMax().get(coarse0)).isEqualTo(30);
    // A missing fine step (fine0 + 2) is left out, not counted as 0.
    h.add(fine0 + 3, 20);
    h.add(fine0 + 5, 0);
    assertThat(h.coarseAvg().get(coarse0)).isEqualTo(15);
    assertThat(h.coarseMax().get(coarse0)).isEqualTo(30);
    // The next minute starts a new point.
    h.add(fine0 + 6, 7);
    assertThat(h.coarseAvg().get(coarse0 + 1)).isEqualTo(7);
    assertThat(h.coarseAvg().get(coarse0)).isEqualTo(15);
  }

  @Test
  void theCoarseRingWrapsAfter24Hours() {
    TotalHistory h = new TotalHistory(AnalysisSettings.defaults());
    long fine0 = T0 / 10_000;
    for (long m = 0; m < 1440 + 10; m++) {
      h.add(fine0 + m * 6, m);
    }
    long coarse0 = T0 / 60_000;
    assertThat(h.coarseAvg().get(coarse0 + 9)).isNaN();
    assertThat(h.coarseAvg().get(coarse0 + 10)).isEqualTo(10);
    assertThat(h.coarseAvg().get(coarse0 + 1449)).isEqualTo(1449);
    // The fine ring holds the last hour only.
    assertThat(h.fine().get(fine0 + 1449 * 6)).isEqualTo(1449);
    assertThat(h.fine().get(fine0 + 1449 * 6 - 360)).isNaN();
    assertThat(h.fine().get(fine0 + 1449 * 6 - 354)).isEqualTo(1390);
  }
}
