package io.feitian.job.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.job.api.Record;
import io.feitian.job.plan.Splits;
import io.feitian.proto.job.v1.FileSplit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SplitReaderTest {
  @TempDir
  Path dir;

  private static List<String> read(FileSplit split) throws IOException {
    List<String> lines = new ArrayList<>();
    try (SplitReader r = new SplitReader(split)) {
      Record rec;
      while ((rec = r.next()) != null) {
        lines.add(rec.toLine());
      }
    }
    return lines;
  }

  @Test
  void everyLineIsReadExactlyOnceWhateverTheSplitSize() throws IOException {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    List<String> lines = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      String l = "line " + i + " " + "x".repeat(random.nextInt(40)) + (random.nextBoolean() ? "\tv" + i : "");
      lines.add(l);
      text.append(l).append('\n');
    }
    text.append("no newline at the end");
    lines.add("no newline at the end");
    Path file = dir.resolve("f.txt");
    Files.writeString(file, text, StandardCharsets.UTF_8);
    for (long splitBytes : new long[] {1, 2, 7, 50, 51, 100, 1000, 0}) {
      List<String> all = new ArrayList<>();
      for (FileSplit s : Splits.of(List.of(new Splits.InputFile(file.toString(), Files.size(file))), splitBytes)) {
        all.addAll(read(s));
      }
      assertThat(all).as("split size %d (seed %d)", splitBytes, seed).isEqualTo(lines);
    }
  }

  @Test
  void aLineIsKeyTabValueAndCarriageReturnsAreDropped() throws IOException {
    Path file = dir.resolve("kv.txt");
    Files.writeString(file, "k1\tv1\r\nk2\n\nk3\tv\tw\n");
    List<Record> records = new ArrayList<>();
    try (SplitReader r = new SplitReader(FileSplit.newBuilder().setPath(file.toString()).setLength(Files.size(file))
        .build())) {
      Record rec;
      while ((rec = r.next()) != null) {
        records.add(rec);
      }
    }
    assertThat(records).containsExactly(new Record("k1", "v1"), new Record("k2", ""), new Record("", ""),
        new Record("k3", "v\tw"));
  }
}
