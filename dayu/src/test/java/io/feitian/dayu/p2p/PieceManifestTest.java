package io.feitian.dayu.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PieceManifestTest {
  private static final int PIECE = PieceManifest.MIN_PIECE_BYTES;

  @Test
  void piecesCoverThePackageWithTheLastOneShorter() throws Exception {
    byte[] bytes = random(7).apply(2 * PIECE + 100);
    PieceManifest m = PieceManifest.of(bytes, PIECE);
    assertThat(m.pieceCount()).isEqualTo(3);
    assertThat(m.sizeBytes()).isEqualTo(bytes.length);
    assertThat(m.length(0)).isEqualTo(PIECE);
    assertThat(m.length(2)).isEqualTo(100);
    assertThat(m.offset(2)).isEqualTo(2L * PIECE);
    assertThat(m.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
    for (int i = 0; i < 3; i++) {
      byte[] piece = Arrays.copyOfRange(bytes, (int) m.offset(i), (int) m.offset(i) + m.length(i));
      assertThat(m.matches(i, piece)).isTrue();
      piece[0] ^= 1;
      assertThat(m.matches(i, piece)).as("a flipped bit").isFalse();
    }
    assertThat(m.matches(2, new byte[99])).as("a short piece").isFalse();
    assertThatThrownBy(() -> m.length(3)).hasMessageContaining("piece must be in [0, 3), got 3");
  }

  @Test
  void emptyAndExactPackages() {
    assertThat(PieceManifest.of(new byte[0], PIECE).pieceCount()).isZero();
    assertThat(PieceManifest.of(new byte[2 * PIECE], PIECE).pieceCount()).isEqualTo(2);
  }

  @Test
  void anySlicingOfTheBytesBuildsTheSameManifest() {
    long seed = new Random().nextLong();
    System.out.println("PieceManifestTest seed " + seed);
    Random r = new Random(seed);
    for (int run = 0; run < 50; run++) {
      byte[] bytes = new byte[r.nextInt(5 * PIECE)];
      r.nextBytes(bytes);
      PieceManifest whole = PieceManifest.of(bytes, PIECE);
      PieceManifest.Builder b = new PieceManifest.Builder(PIECE);
      for (int at = 0; at < bytes.length; ) {
        int n = Math.min(bytes.length - at, r.nextInt(3 * PIECE) + 1);
        b.update(bytes, at, n);
        at += n;
      }
      assertThat(b.build()).as("seed " + seed + " run " + run).isEqualTo(whole);
      assertThat(PieceManifest.of(whole.sha256(), whole.sizeBytes(), PIECE, whole.joinedPieceSha256()))
          .isEqualTo(whole);
    }
  }

  @Test
  void refusals() {
    String sha = "a".repeat(64);
    assertThatThrownBy(() -> new PieceManifest(sha, 10, 1024, java.util.List.of(sha)))
        .hasMessageContaining("piece size must be between");
    assertThatThrownBy(() -> new PieceManifest(sha, PIECE + 1, PIECE, java.util.List.of(sha)))
        .hasMessageContaining("piece_sha256 has 1 checksums, but");
    assertThatThrownBy(() -> new PieceManifest(sha, 1, PIECE, java.util.List.of("XYZ")))
        .hasMessageContaining("piece_sha256[0] must be 64 lowercase hexadecimal digits");
    assertThatThrownBy(() -> PieceManifest.of(sha, 1, PIECE, "abc")).hasMessageContaining("64-digit");
  }

  private static java.util.function.IntFunction<byte[]> random(long seed) {
    Random r = new Random(seed);
    return n -> {
      byte[] b = new byte[n];
      r.nextBytes(b);
      return b;
    };
  }
}
