package io.feitian.examples.sort;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sort example's shell scripts, run as a process-mode task runs them:
 * records on stdin, config in the environment.
 */
class SortScriptsTest {
  private static final Path SAMPLE = Path.of("scripts/sample.sh");
  private static final Path BOUNDARIES = Path.of("scripts/boundaries.sh");

  @TempDir
  Path dir;

  @Test
  void sampleWritesTheKeyOfEveryNthRecordStartingWithTheFirst() throws Exception {
    List<String> records = new ArrayList<>();
    for (int i = 1; i <= 7; i++) {
      records.add("k" + i + "\tvalue " + i);
    }
    records.add("bare-key");
    assertThat(run(SAMPLE, Map.of("FEITIAN_CONF_EVERY", "3"), records)).containsExactly("k1", "k4", "k7");
    assertThat(run(SAMPLE, Map.of(), records)).containsExactly("k1");
  }

  @Test
  void boundariesSplitGeneratedRecordsIntoEvenPartitions() throws Exception {
    List<String> samples = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (Path file : GenerateRecords.generate(dir.resolve("records"), 4, 5_000, 7)) {
      List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
      lines.forEach(line -> keys.add(line.substring(0, line.indexOf('\t'))));
      samples.addAll(run(SAMPLE, Map.of("FEITIAN_CONF_EVERY", "50"), lines));
    }
    assertThat(samples).hasSize(400);

    List<String> boundaries = run(BOUNDARIES, Map.of("FEITIAN_CONF_PARTITIONS", "5"), samples);

    assertThat(boundaries).hasSize(4).isSortedAccordingTo(String::compareTo).doesNotHaveDuplicates();
    assertThat(samples).containsAll(boundaries);
    // Each of the 5 partitions should get a fifth of the 20,000 records; 400
    // samples place a quantile within a few percent.
    int[] sizes = new int[5];
    keys.forEach(key -> sizes[partition(boundaries, key)]++);
    for (int size : sizes) {
      assertThat(size).isBetween(3_000, 5_000);
    }
  }

  @Test
  void boundariesDefaultToFourPartitions() throws Exception {
    List<String> samples = List.of("h", "g", "f", "e", "d", "c", "b", "a");
    assertThat(run(BOUNDARIES, Map.of(), samples)).containsExactly("c", "e", "g");
  }

  @Test
  void fewerSamplesThanPartitionsGiveFewerBoundaries() throws Exception {
    assertThat(run(BOUNDARIES, Map.of(), List.of("b", "a"))).containsExactly("a", "b");
    assertThat(run(BOUNDARIES, Map.of(), List.of())).isEmpty();
  }

  @Test
  void repeatedSamplesGiveDistinctBoundaries() throws Exception {
    List<String> samples = List.of("a", "a", "a", "a", "a", "a", "b", "c");
    assertThat(run(BOUNDARIES, Map.of(), samples)).containsExactly("a", "b");
  }

  @Test
  void keysThatLookLikeNumbersAreComparedAsText() throws Exception {
    // Both are 100 as numbers; awk must not take them for repeats.
    List<String> samples = List.of("00000001e2", "0000000100");
    assertThat(run(BOUNDARIES, Map.of("FEITIAN_CONF_PARTITIONS", "3"), samples))
        .containsExactly("0000000100", "00000001e2");
  }

  /** The partition the range partitioner gives a key: how many boundaries are at or below it. */
  private static int partition(List<String> boundaries, String key) {
    return (int) boundaries.stream().filter(b -> b.compareTo(key) <= 0).count();
  }

  /** Runs a script with the given environment and input lines, and returns its output lines. */
  private List<String> run(Path script, Map<String, String> env, List<String> input)
      throws IOException, InterruptedException {
    Path in = Files.createTempFile(dir, "in", ".txt");
    Path out = Files.createTempFile(dir, "out", ".txt");
    Files.write(in, input, StandardCharsets.US_ASCII);
    ProcessBuilder builder = new ProcessBuilder("sh", script.toString())
        .redirectInput(in.toFile())
        .redirectOutput(out.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().keySet().removeIf(name -> name.startsWith("FEITIAN_"));
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(script + " did not finish in 60 s");
    }
    assertThat(process.exitValue()).as(script + " exit status").isZero();
    return Files.readAllLines(out, StandardCharsets.US_ASCII);
  }
}
