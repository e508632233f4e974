package io.feitian.common.hash;

/**
 * MurmurHash3, the hash Feitian routes keys with (job pipelines' hash
 * partitioning, services' key space), written out so that programs in any
 * language can route the same way.
 */
public final class Murmur3 {
  private Murmur3() {}

  /** MurmurHash3 x86 32-bit, as published by Austin Appleby (Feitian uses seed 0). */
  public static int hash32(byte[] data, int seed) {
    final int c1 = 0xcc9e2d51;
    final int c2 = 0x1b873593;
    int h = seed;
    int blocks = data.length & ~3;
    for (int i = 0; i < blocks; i += 4) {
      int k = (data[i] & 0xff) | (data[i + 1] & 0xff) << 8 | (data[i + 2] & 0xff) << 16 | (data[i + 3] & 0xff) << 24;
      h ^= Integer.rotateLeft(k * c1, 15) * c2;
      h = Integer.rotateLeft(h, 13) * 5 + 0xe6546b64;
    }
    if (blocks < data.length) {
      int k = 0;
      for (int i = data.length - 1; i >= blocks; i--) {
        k = k << 8 | (data[i] & 0xff);
      }
      h ^= Integer.rotateLeft(k * c1, 15) * c2;
    }
    h ^= data.length;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
