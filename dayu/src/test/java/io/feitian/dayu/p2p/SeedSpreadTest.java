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
    SeedSpread s = new SeedSpread(SeedSpread.DEFAULT_SETTLE_MILLIS);
    assertThat(s.trySend(APP, 4, 0, NONE, false, 0)).isTrue();
    assertThat(s.trySend(APP, 4, 0, NONE, false, 0)).as("piece 0 is on its way; 1-3 have not gone out").isFalse();
    assertThat(s.trySend(APP, 4, 1, NONE, false, 0)).isTrue();
    assertThat(s.trySend(APP, 4, 2, NONE, false, 0)).isTrue();
    assertThat(s.trySend(APP, 4, 0, NONE, false, 0)).isFalse();
    assertThat(s.trySend(APP, 4, 3, NONE, false, 0)).isTrue();
    s.ended(APP, 0, 100);
    assertThat(s.trySend(APP, 4, 0, NONE, false, 100 + SeedSpread.DEFAULT_SETTLE_MILLIS - 1))
        .as("sent, not announced yet: still settling").isFalse();
    // Every piece went out once and no peer announced piece 0 (its receiver died): it goes again.
    assertThat(s.trySend(APP, 4, 0, NONE, false, 100 + SeedSpread.DEFAULT_SETTLE_MILLIS)).isTrue();
    assertThat(s.sent(APP, 0)).isEqualTo(2);
  }

  @Test
  void theSettleTimeIsASetting() {
    SeedSpread s = new SeedSpread(20_000); // a slow link: the bytes drain for seconds after the send ended
    assertThat(s.trySend(APP, 1, 0, NONE, false, 0)).isTrue();
    s.ended(APP, 0, 100);
    assertThat(s.trySend(APP, 1, 0, NONE, false, 100 + SeedSpread.DEFAULT_SETTLE_MILLIS)).isFalse();
    assertThat(s.trySend(APP, 1, 0, NONE, false, 100 + 19_999)).isFalse();
    assertThat(s.trySend(APP, 1, 0, NONE, false, 100 + 20_000)).isTrue();
    assertThatThrownBy(() -> new SeedSpread(-1)).hasMessageContaining("seed-settle");
  }

  @Test
  void aPieceOnItsWayIsRefusedUntilItsSendEndedAndSettled() {
    SeedSpread s = new SeedSpread(SeedSpread.DEFAULT_SETTLE_MILLIS);
    assertThat(s.trySend(APP, 1, 0, NONE, false, 0)).isTrue();
    assertThat(s.trySend(APP, 1, 0, NONE, false, 60_000)).as("the send has not ended, however long").isFalse();
    s.ended(APP, 0, 60_000);
    assertThat(s.trySend(APP, 1, 0, NONE, false, 60_001)).as("its receiver may announce it any moment").isFalse();
    assertThat(s.trySend(APP, 1, 0, NONE, true, 60_001)).as("for an asker cut off from the others").isTrue();
    s.ended(APP, 0, 60_002);
    s.ended(APP, 0, 60_003); // more ends than sends (a forgotten package's): ignored
    assertThat(s.trySend(APP, 1, 0, NONE, false, 60_002 + SeedSpread.DEFAULT_SETTLE_MILLIS)).isTrue();
  }

  @Test
  void aPieceAPeerHoldsIsRefusedWhileAnotherIsMissing() {
    SeedSpread s = new SeedSpread(SeedSpread.DEFAULT_SETTLE_MILLIS);
    assertThat(s.trySend(APP, 3, 0, bits(0), false, 0)).as("a peer holds 0, nobody 1 and 2").isFalse();
    assertThat(s.trySend(APP, 3, 1, bits(0), false, 0)).isTrue();
    assertThat(s.sent(APP, 0)).isZero();
  }

  @Test
  void onceThePeersHoldEveryPieceOnlyAnAskerThatReachedNoneOfAPiecesHoldersGetsIt() {
    SeedSpread s = new SeedSpread(SeedSpread.DEFAULT_SETTLE_MILLIS);
    BitSet all = bits(0, 1, 2);
    assertThat(s.trySend(APP, 3, 1, all, false, 0)).as("peers hold it, perhaps busy: ask them").isFalse();
    for (int i = 0; i < 3; i++) {
      assertThat(s.trySend(APP, 3, 1, all, true, 0)).as("every holder failed this asker").isTrue();
    }
    assertThat(s.sent(APP, 1)).isEqualTo(3);
  }

  @Test
  void aPieceWhoseHoldersFailedTheAskerCountsAsMissing() {
    SeedSpread s = new SeedSpread(SeedSpread.DEFAULT_SETTLE_MILLIS);
    assertThat(s.trySend(APP, 3, 2, NONE, false, 0)).isTrue();
    assertThat(s.trySend(APP, 3, 0, bits(0), true, 0)).as("held, but out of the asker's reach; sent least").isTrue();
    assertThat(s.trySend(APP, 3, 0, bits(0), true, 0)).as("piece 1 has gone out fewer times").isFalse();
    assertThat(s.trySend(APP, 3, 1, bits(0), false, 0)).isTrue();
  }

  @Test
  void onlyTheLastPackagesAreCounted() {
    SeedSpread s = new SeedSpread(SeedSpread.DEFAULT_SETTLE_MILLIS);
    assertThat(s.trySend(APP, 2, 0, NONE, false, 0)).isTrue();
    for (int i = 0; i < SeedSpread.PACKAGES_KEPT; i++) {
      assertThat(s.trySend(new PackageId("other", "1.0." + i), 1, 0, NONE, false, 0)).isTrue();
    }
    assertThat(s.sent(APP, 0)).as("forgotten, the least recently asked about").isZero();
    assertThat(s.sent(new PackageId("other", "1.0.1"), 0)).isEqualTo(1);
  }

  @Test
  void packagesAreCountedApartAndBadPiecesRefused() {
    SeedSpread s = new SeedSpread(SeedSpread.DEFAULT_SETTLE_MILLIS);
    assertThat(s.trySend(APP, 2, 0, NONE, false, 0)).isTrue();
    assertThat(s.trySend(new PackageId("app", "2.0.0"), 2, 0, NONE, false, 0)).isTrue();
    assertThatThrownBy(() -> s.trySend(APP, 2, 2, NONE, false, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> s.trySend(APP, 3, 0, NONE, false, 0)).hasMessageContaining("has 2 pieces, not 3");
  }

  /** Many agents asking at random for pieces nobody holds: no piece goes out twice before all went once. */
  @Test
  void randomAskersNeverMakeTheCountsDifferByMoreThanOne() {
    long seed = Long.getLong("spread.seed", System.nanoTime());
    System.out.println("SeedSpreadTest seed " + seed + " (replay with -Dspread.seed=" + seed + ")");
    Random random = new Random(seed);
    for (int round = 0; round < 100; round++) {
      int pieces = 1 + random.nextInt(40);
      SeedSpread s = new SeedSpread(SeedSpread.DEFAULT_SETTLE_MILLIS);
      PackageId pkg = new PackageId("app", "1.0." + round);
      int[] sent = new int[pieces];
      for (int ask = 0; ask < 20 * pieces; ask++) {
        int piece = random.nextInt(pieces);
        if (s.trySend(pkg, pieces, piece, NONE, false, 0)) {
          sent[piece]++;
        }
        int max = Arrays.stream(sent).max().orElseThrow();
        int min = Arrays.stream(sent).min().orElseThrow();
        assertThat(max - min).as("seed %d, round %d: counts %s", seed, round, Arrays.toString(sent)).isLessThanOrEqualTo(1);
      }
    }
  }
}
