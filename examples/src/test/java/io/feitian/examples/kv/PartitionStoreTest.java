package io.feitian.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionStoreTest {
  @TempDir
  Path dir;

  private static long recordSize(String key, String value) {
    return PartitionStore.record(key, value).limit();
  }

  @Test
  void putsAreReadBackAndSurviveAReopen() throws IOException {
    try (PartitionStore store = PartitionStore.open(dir, "p-0", false)) {
      store.put("apple", "red");
      store.put("banana", "yellow");
      store.put("apple", "green");
      store.put("empty", "");
      store.put("天", "空 ✓");
      assertThat(store.get("apple")).isEqualTo("green");
      assertThat(store.get("missing")).isNull();
    }
    Path file = PartitionStore.file(dir, "p-0");
    assertThat(file).isEqualTo(dir.resolve("p-0").resolve("data.log"));
    assertThat(Files.size(file)).isEqualTo(recordSize("apple", "red") + recordSize("banana", "yellow")
        + recordSize("apple", "green") + recordSize("empty", "") + recordSize("天", "空 ✓"));
    try (PartitionStore store = PartitionStore.open(dir, "p-0", true)) {
      assertThat(store.snapshot()).containsExactlyInAnyOrderEntriesOf(
          Map.of("apple", "green", "banana", "yellow", "empty", "", "天", "空 ✓"));
      assertThat(Files.size(file)).as("a clean log is not truncated").isEqualTo(
          recordSize("apple", "red") + recordSize("banana", "yellow") + recordSize("apple", "green")
              + recordSize("empty", "") + recordSize("天", "空 ✓"));
    }
  }

  @Test
  void theRecordFormatIsLengthsStringsAndACrc32c() {
    ByteBuffer b = PartitionStore.record("ab", "xyz");
    assertThat(b.limit()).isEqualTo(4 + 2 + 4 + 3 + 4);
    assertThat(b.getInt(0)).isEqualTo(2);
    assertThat(new String(new byte[] {b.get(4), b.get(5)})).isEqualTo("ab");
    assertThat(b.getInt(6)).isEqualTo(3);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(b.array(), 0, 13);
    assertThat(b.getInt(13)).isEqualTo((int) crc.getValue());
  }

  @Test
  void aTornLastRecordIsDroppedAndLaterAppendsAreKept() throws IOException {
    Path file = PartitionStore.file(dir, "p-0");
    try (PartitionStore store = PartitionStore.open(dir, "p-0", false)) {
      store.put("a", "1");
      store.put("b", "2");
      store.put("c", "3");
    }
    long twoRecords = recordSize("a", "1") + recordSize("b", "2");
    for (int cut : new int[] {1, 3, 5, (int) recordSize("c", "3") - 1}) {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.truncate(twoRecords + recordSize("c", "3") - cut);
      }
      try (PartitionStore store = PartitionStore.open(dir, "p-0", false)) {
        assertThat(store.snapshot()).as("cut %d bytes", cut).isEqualTo(Map.of("a", "1", "b", "2"));
        assertThat(Files.size(file)).as("the torn tail is truncated away").isEqualTo(twoRecords);
        store.put("c", "3"); // for the next round
      }
    }
    try (PartitionStore store = PartitionStore.open(dir, "p-0", false)) {
      store.put("d", "4");
    }
    try (PartitionStore store = PartitionStore.open(dir, "p-0", false)) {
      assertThat(store.snapshot()).isEqualTo(Map.of("a", "1", "b", "2", "c", "3", "d", "4"));
    }
  }

  @Test
  void garbageAfterTheLastRecordIsDropped() throws IOException {
    Path file = PartitionStore.file(dir, "p-0");
    try (PartitionStore store = PartitionStore.open(dir, "p-0", false)) {
      store.put("a", "1");
      store.put("b", "2");
    }
    long good = Files.size(file);
    List<byte[]> garbage = List.of(
        new byte[] {0, 0, 0, 1, 'x', 0, 0, 0, 1, 'y', 0, 0, 0, 0}, // a whole record with a wrong CRC
        ByteBuffer.allocate(16).putInt(Integer.MAX_VALUE).array(), // a key longer than the file
        ByteBuffer.allocate(16).putInt(-5).array(), // a negative length
        new byte[] {0, 0}); // a torn length
    for (byte[] g : garbage) {
      Files.write(file, g, StandardOpenOption.APPEND);
      try (PartitionStore store = PartitionStore.open(dir, "p-0", false)) {
        assertThat(store.snapshot()).isEqualTo(Map.of("a", "1", "b", "2"));
        assertThat(Files.size(file)).isEqualTo(good);
      }
    }
    try (PartitionStore store = PartitionStore.open(dir, "p-0", false)) {
      store.put("c", "3");
    }
    try (PartitionStore store = PartitionStore.open(dir, "p-0", false)) {
      assertThat(store.snapshot()).isEqualTo(Map.of("a", "1", "b", "2", "c", "3"));
    }
  }

  @Test
  void aCorruptLastRecordIsDropped() throws IOException {
    Path file = PartitionStore.file(dir, "p-0");
    try (PartitionStore store = PartitionStore.open(dir, "p-0", false)) {
      store.put("a", "1");
      store.put("b", "value");
    }
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 6] ^= 0x20; // a letter of "value"
    Files.write(file, bytes);
    try (PartitionStore store = PartitionStore.open(dir, "p-0", false)) {
      assertThat(store.snapshot()).isEqualTo(Map.of("a", "1"));
    }
    assertThat(Files.size(file)).isEqualTo(recordSize("a", "1"));
  }

  @Test
  void concurrentPutsAllSurviveAReopen() throws Exception {
    int threads = 6;
    int perThread = 400;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    Map<String, String> shared;
    try (PartitionStore store = PartitionStore.open(dir, "p-0", false)) {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit((Callable<Void>) () -> {
          go.await();
          for (int i = 0; i < perThread; i++) {
            store.put("t" + thread + "-" + i, "v" + thread + "-" + i + "-" + "x".repeat(i % 37));
            store.put("shared", "t" + thread + "-" + i);
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get();
      }
      shared = Map.of("shared", store.get("shared"));
    } finally {
      pool.shutdown();
    }
    Map<String, String> expected = new HashMap<>(shared);
    long bytes = 0;
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < perThread; i++) {
        expected.put("t" + t + "-" + i, "v" + t + "-" + i + "-" + "x".repeat(i % 37));
        bytes += recordSize("t" + t + "-" + i, "v" + t + "-" + i + "-" + "x".repeat(i % 37));
        bytes += recordSize("shared", "t" + t + "-" + i);
      }
    }
    Path file = PartitionStore.file(dir, "p-0");
    assertThat(Files.size(file)).as("every record whole, none overwritten").isEqualTo(bytes);
    try (PartitionStore store = PartitionStore.open(dir, "p-0", false)) {
      assertThat(store.snapshot()).as("the log ends with the value the map had").isEqualTo(expected);
      assertThat(Files.size(file)).isEqualTo(bytes);
    }
  }

  @Test
  void aCompactedStoreHoldsOnlyItsRangeAndReplacesLeftovers() throws IOException {
    Map<String, String> entries = new HashMap<>();
    for (int i = 0; i < 100; i++) {
      entries.put("k" + i, "v" + i);
    }
    Path temp = dir.resolve("p-1").resolve("data.log.tmp");
    Files.createDirectories(temp.getParent());
    Files.writeString(temp, "an earlier attempt");
    try (PartitionStore stale = PartitionStore.open(dir, "p-1", false)) {
      stale.put("stale", "left by an earlier attempt");
    }
    var range = new io.feitian.service.partition.KeyRange("40000000", "c0000000");
    int written = PartitionStore.writeCompacted(dir, "p-1", range, entries);
    Map<String, String> inRange = new HashMap<>();
    entries.forEach((k, v) -> {
      if (range.contains(io.feitian.service.client.ServiceKeys.hash(k))) {
        inRange.put(k, v);
      }
    });
    assertThat(inRange).isNotEmpty().hasSizeLessThan(entries.size());
    assertThat(written).isEqualTo(inRange.size());
    assertThat(temp).doesNotExist();
    assertThat(PartitionStore.read(dir, "p-1")).isEqualTo(inRange);
    assertThat(Files.size(PartitionStore.file(dir, "p-1")))
        .isEqualTo(inRange.entrySet().stream().mapToLong(e -> recordSize(e.getKey(), e.getValue())).sum());
  }

  @Test
  void partitionIdsCannotLeaveTheDataDirectory() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> PartitionStore.open(dir, "../x", false))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
