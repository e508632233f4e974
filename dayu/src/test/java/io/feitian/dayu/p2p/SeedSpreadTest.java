package io.feitian.dayu.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.dayu.p2p.Tracker.PackageId;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeedSpreadTest {
  private static final PackageId APP = new PackageId("app", "1.0.0");
  private static final BitSet NONE = new BitSet();

  private static BitSet bits(int... pieces) {
    BitSet b = new BitSet();
    for (int p : pieces) {
      b.set(p);
    }
    return b;
  }

  @Test
  void agentsStartingTogetherGetDifferentPiecesEachSentOnce() {
    SeedSpread s = new SeedSpread();
    assertThat(s.trySend(APP, 4, 0, NONE, false)).isTrue();
    assertThat(s.trySend(APP, 4, 0, NONE, false)).as("piece 0 is on its way; 1-3 have not gone out").isFalse();
    assertThat(s.trySend(APP, 4, 1, NONE, false)).isTrue();
    assertThat(s.trySend(APP, 4, 2, NONE, false)).isTrue();
    assertThat(s.trySend(APP, 4, 0, NONE, false)).isFalse();
    assertThat(s.trySend(APP, 4, 3, NONE, false)).isTrue();
    // Every piece went out once and no peer announced piece 0 (its receiver died): it goes again.
    assertThat(s.trySend(APP, 4, 0, NONE, false)).isTrue();
    assertThat(s.sent(APP, 0)).isEqualTo(2);
  }

  @Test
  void aPieceAPeerHoldsIsRefusedWhileAnotherIsMissing() {
    SeedSpread s = new SeedSpread();
    assertThat(s.trySend(APP, 3, 0, bits(0), false)).as("a peer holds 0, nobody 1 and 2").isFalse();
    assertThat(s.trySend(APP, 3, 1, bits(0), false)).isTrue();
    assertThat(s.sent(APP, 0)).isZero();
  }

  @Test
  void onceThePeersHoldEveryPieceOnlyAnAskerThatReachedNoneOfAPiecesHoldersGetsIt() {
    SeedSpread s = new SeedSpread();
    BitSet all = bits(0, 1, 2);
    assertThat(s.trySend(APP, 3, 1, all, false)).as("peers hold it, perhaps busy: ask them").isFalse();
    for (int i = 0; i < 3; i++) {
      assertThat(s.trySend(APP, 3, 1, all, true)).as("every holder failed this asker").isTrue();
    }
    assertThat(s.sent(APP, 1)).isEqualTo(3);
  }

  @Test
  void aPieceWhoseHoldersFailedTheAskerCountsAsMissing() {
    SeedSpread s = new SeedSpread();
    assertThat(s.trySend(APP, 3, 2, NONE, false)).isTrue();
    assertThat(s.trySend(APP, 3, 0, bits(0), true)).as("held, but out of the asker's reach; sent least").isTrue();
    assertThat(s.trySend(APP, 3, 0, bits(0), true)).as("piece 1 has gone out fewer times").isFalse();
    assertThat(s.trySend(APP, 3, 1, bits(0), false)).isTrue();
  }

  @Test
  void onlyTheLastPackagesAreCounted() {
    SeedSpread s = new SeedSpread();
    assertThat(s.trySend(APP, 2, 0, NONE, false)).isTrue();
    for (int i = 0; i < SeedSpread.PACKAGES_KEPT; i++) {
      assertThat(s.trySend(new PackageId("other", "1.0." + i), 1, 0, NONE, false)).isTrue();
    }
    assertThat(s.sent(APP, 0)).as("forgotten, the least recently asked about").isZero();
    assertThat(s.sent(new PackageId("other", "1.0.1"), 0)).isEqualTo(1);
  }

  @Test
  void packagesAreCountedApartAndBadPiecesRefused() {
    SeedSpread s = new SeedSpread();
    assertThat(s.trySend(APP, 2, 0, NONE, false)).isTrue();
    assertThat(s.trySend(new PackageId("app", "2.0.0"), 2, 0, NONE, false)).isTrue();
    assertThatThrownBy(() -> s.trySend(APP, 2, 2, NONE, false)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> s.trySend(APP, 3, 0, NONE, false)).hasMessageContaining("has 2 pieces, not 3");
  }

  /** Many agents asking at random for pieces nobody holds: no piece goes out twice before all went once. */
  @Test
  void randomAskersNeverMakeTheCountsDifferByMoreThanOne() {
    long seed = Long.getLong("spread.seed", System.nanoTime());
    System.out.println("SeedSpreadTest seed " + seed + " (replay with -Dspread.seed=" + seed + ")");
    Random random = new Random(seed);
    for (int round = 0; round < 100; round++) {
      int pieces = 1 + random.nextInt(40);
      SeedSpread s = new SeedSpread();
      PackageId pkg = new PackageId("app", "1.0." + round);
      int[] sent = new int[pieces];
      for (int ask = 0; ask < 20 * pieces; ask++) {
        int piece = random.nextInt(pieces);
        if (s.trySend(pkg, pieces, piece, NONE, false)) {
          sent[piece]++;
        }
        int max = Arrays.stream(sent).max().orElseThrow();
        int min = Arrays.stream(sent).min().orElseThrow();
        assertThat(max - min).as("seed %d, round %d: counts %s", seed, round, Arrays.toString(sent)).isLessThanOrEqualTo(1);
      }
    }
  }
}
