package io.feitian.examples.wordcount;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.examples.InMemoryContext;
import io.feitian.examples.share.Total;
import io.feitian.job.api.Record;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/** The word count and total processors, chained in memory over the example text, agree with the reference. */
class ExampleTextTest {
  private static final Path TEXT = Path.of("data/text");

  @Test
  void tokenizeThenCountGivesTheReferenceCounts() throws IOException {
    InMemoryContext count = new InMemoryContext(tokenizeEachFile());
    new Count().process(count);

    SortedMap<String, Long> expected = WordCountReference.count(TEXT);
    List<Record> expectedRecords = new ArrayList<>();
    expected.forEach((word, n) -> expectedRecords.add(new Record(word, Long.toString(n))));
    assertThat(count.emitted()).containsExactlyElementsOf(expectedRecords);
    // The text is big enough to be worth distributing, and the tokenizer finds words in it.
    assertThat(expected.get("license")).isGreaterThan(100);
  }

  @Test
  void totalIsTheNumberOfWords() throws IOException {
    InMemoryContext total = new InMemoryContext(tokenizeEachFile());
    new Total().process(total);

    long words = WordCountReference.count(TEXT).values().stream().mapToLong(Long::longValue).sum();
    assertThat(total.emitted()).containsExactly(new Record("total", Long.toString(words)));
  }

  /** What the tokenize instances emit, one instance per file. */
  private static List<Record> tokenizeEachFile() throws IOException {
    List<Record> emitted = new ArrayList<>();
    for (Path file : WordCountReference.files(TEXT)) {
      InMemoryContext context =
          InMemoryContext.ofLines(Files.readAllLines(file, StandardCharsets.UTF_8).toArray(String[]::new));
      new Tokenize().process(context);
      emitted.addAll(context.emitted());
    }
    return emitted;
  }
}
