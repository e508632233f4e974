package io.feitian.examples.wordcount;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The word counts a word count job should produce for a directory, computed
 * plainly in one JVM with the same tokenizer ({@link Words}), to check the
 * processors and a job's output against.
 */
public final class WordCountReference {
  private WordCountReference() {}

  /** The counts of the words of the regular files in dir (not recursive, as a job's input paths). */
  public static SortedMap<String, Long> count(Path dir) throws IOException {
    SortedMap<String, Long> counts = new TreeMap<>();
    for (Path file : files(dir)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        for (String word : Words.split(line)) {
          counts.merge(word, 1L, Long::sum);
        }
      }
    }
    return counts;
  }

  /** The regular files in dir, by name. */
  public static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.filter(Files::isRegularFile).sorted().toList();
    }
  }
}
