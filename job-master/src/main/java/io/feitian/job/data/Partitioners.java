package io.feitian.job.data;

import io.feitian.common.hash.Murmur3;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The partitioners of pipelines. Every instance of a task, in whichever JVM
 * or node it runs, must send a key to the same partition, so both are
 * defined by the key alone:
 *
 * <ul>
 *   <li>hash: murmur3 x86 32-bit (seed 0) of the key's UTF-8 bytes, read
 *       as an unsigned number, modulo the partition count. It is a fixed
 *       published function of the bytes (unlike {@code Object.hashCode}, and
 *       better spread than {@code String.hashCode}, whose low bits follow the
 *       last character), so any JVM or another language gets the same
 *       partition.
 *   <li>range: the number of boundaries {@code <=} the key by
 *       {@link String#compareTo} (UTF-16 code unit order): keys below
 *       {@code boundaries[0]} go to 0, keys at or above the last go to the
 *       last partition. A sort of range-partitioned keys must use the same
 *       order.
 * </ul>
 */
public final class Partitioners {
  private static final KeyPartitioner SINGLE = new ByKey(1, key -> 0);

  private Partitioners() {}

  /** Everything to partition 0: one-to-one and broadcast pipelines. */
  public static KeyPartitioner single() {
    return SINGLE;
  }

  public static KeyPartitioner hash(int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
    }
    return new ByKey(partitions,
        key -> Integer.remainderUnsigned(Murmur3.hash32(key.getBytes(StandardCharsets.UTF_8), 0), partitions));
  }

  /**
   * @param boundaries one fewer than the partitions, sorted by {@link String#compareTo} (repeats
   *     allowed: the partition between them stays empty)
   */
  public static KeyPartitioner range(List<String> boundaries) {
    String[] b = boundaries.toArray(String[]::new);
    for (int i = 1; i < b.length; i++) {
      if (b[i - 1].compareTo(b[i]) > 0) {
        throw new IllegalArgumentException("boundaries must be sorted, but boundaries[" + (i - 1) + "] '"
            + b[i - 1] + "' is above boundaries[" + i + "] '" + b[i] + "'");
      }
    }
    return new ByKey(b.length + 1, key -> boundariesAtOrBelow(b, key));
  }

  /** Binary search for the first boundary above the key: its index counts the boundaries {@code <=} key. */
  private static int boundariesAtOrBelow(String[] boundaries, String key) {
    int lo = 0;
    int hi = boundaries.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (boundaries[mid].compareTo(key) <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private record ByKey(int partitions, ToIntFunction<String> byKey) implements KeyPartitioner {
    @Override
    public int partition(String key) {
      return byKey.applyAsInt(key);
    }
  }
}
