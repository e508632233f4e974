package io.feitian.examples.sort;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateRecordsTest {
  @TempDir
  Path dir;

  @Test
  void writesNumberedFilesOfKeyTabPayloadLines() throws IOException {
    List<Path> files = GenerateRecords.generate(dir.resolve("records"), 3, 50, 1);

    assertThat(files).extracting(f -> f.getFileName().toString())
        .containsExactly("records-000.txt", "records-001.txt", "records-002.txt");
    for (Path file : files) {
      assertThat(Files.readAllLines(file)).hasSize(50)
          .allMatch(line -> line.matches("[A-Za-z0-9]{10}\t[A-Za-z0-9]{20,40}"), "key<TAB>payload");
    }
  }

  @Test
  void theSameSeedWritesTheSameBytesAndAnotherSeedOthers() throws IOException {
    List<byte[]> first = contents(GenerateRecords.generate(dir.resolve("a"), 2, 100, 42));
    List<byte[]> again = contents(GenerateRecords.generate(dir.resolve("b"), 2, 100, 42));
    List<byte[]> other = contents(GenerateRecords.generate(dir.resolve("c"), 2, 100, 43));

    assertThat(again).usingElementComparator(Arrays::compare).isEqualTo(first);
    for (int i = 0; i < first.size(); i++) {
      assertThat(other.get(i)).isNotEqualTo(first.get(i));
    }
  }

  @Test
  void aSmallerRunLeavesNoFilesOfALargerOne() throws IOException {
    Files.writeString(dir.resolve("notes.txt"), "kept");
    GenerateRecords.generate(dir, 5, 1, 1);
    GenerateRecords.generate(dir, 2, 1, 1);

    try (var entries = Files.list(dir)) {
      assertThat(entries.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("notes.txt", "records-000.txt", "records-001.txt");
    }
  }

  private static List<byte[]> contents(List<Path> files) throws IOException {
    List<byte[]> contents = new ArrayList<>();
    for (Path file : files) {
      contents.add(Files.readAllBytes(file));
    }
    return contents;
  }
}
