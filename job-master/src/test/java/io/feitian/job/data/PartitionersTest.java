package io.feitian.job.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PartitionersTest {

  static int murmur(String s, int seed) {
    return io.feitian.common.hash.Murmur3.hash32(s.getBytes(StandardCharsets.ISO_8859_1), seed);
  }

  @Test
  void murmur3MatchesThePublishedTestVectors() {
    assertThat(murmur("", 0)).isEqualTo(0);
    assertThat(murmur("", 1)).isEqualTo(0x514e28b7);
    assertThat(murmur("", 0xffffffff)).isEqualTo(0x81f16f39);
    assertThat(murmur("\0\0\0\0", 0)).isEqualTo(0x2362f9de);
    assertThat(murmur("!Ce\u0087", 0)).isEqualTo(0xf55b516b);
    assertThat(murmur("!Ce", 0)).isEqualTo(0x7e4a8634);
    assertThat(murmur("!C", 0)).isEqualTo(0xa0f7b07a);
    assertThat(murmur("!", 0)).isEqualTo(0x72661cf4);
    assertThat(murmur("Hello, world!", 0x9747b28c)).isEqualTo(0x24884cba);
    assertThat(murmur("The quick brown fox jumps over the lazy dog", 0x9747b28c)).isEqualTo(0x2fa826cd);
  }

  @Test
  void hashPartitionIsMurmur3OfTheUtf8KeyUnsignedModuloThePartitions() {
    assertThat(Partitioners.hash(10).partition("!")).isEqualTo(8);
    // 0xc4d9f942 is negative as an int: taken unsigned, never a negative partition.
    assertThat(Partitioners.hash(7).partition("日本")).isEqualTo(5);
    assertThat(Partitioners.hash(1).partition("anything")).isZero();
  }

  @Test
  void hashSpreadsKeysEvenly() {
    int[] counts = new int[8];
    Random random = new Random(42);
    for (int i = 0; i < 80_000; i++) {
      counts[Partitioners.hash(8).partition("user-" + random.nextInt(1_000_000))]++;
    }
    for (int c : counts) {
      assertThat(c).isBetween(9_000, 11_000);
    }
  }

  @Test
  void rangePartitionCountsTheBoundariesAtOrBelowTheKey() {
    KeyPartitioner p = Partitioners.range(List.of("b", "d", "f"));
    assertThat(p.partitions()).isEqualTo(4);
    assertThat(p.partition("")).isZero();
    assertThat(p.partition("a")).isZero();
    assertThat(p.partition("b")).isEqualTo(1);
    assertThat(p.partition("c")).isEqualTo(1);
    assertThat(p.partition("d")).isEqualTo(2);
    assertThat(p.partition("f")).isEqualTo(3);
    assertThat(p.partition("zzz")).isEqualTo(3);
  }

  @Test
  void repeatedBoundariesLeaveAnEmptyPartitionBetweenThem() {
    KeyPartitioner p = Partitioners.range(List.of("m", "m"));
    assertThat(p.partition("a")).isZero();
    assertThat(p.partition("m")).isEqualTo(2);
    assertThat(Partitioners.range(List.of()).partition("x")).isZero();
  }

  @Test
  void badArgumentsAreRefusedNamingThem() {
    assertThatThrownBy(() -> Partitioners.range(List.of("a", "c", "b")))
        .hasMessage("boundaries must be sorted, but boundaries[1] 'c' is above boundaries[2] 'b'");
    assertThatThrownBy(() -> Partitioners.hash(0)).hasMessage("partitions must be >= 1, got 0");
  }
}
