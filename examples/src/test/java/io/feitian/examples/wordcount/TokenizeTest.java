package io.feitian.examples.wordcount;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.examples.InMemoryContext;
import io.feitian.job.api.Record;
import org.junit.jupiter.api.Test;

class TokenizeTest {
  @Test
  void emitsEachWordOnceWithItsCountInTheSplit() {
    InMemoryContext context = InMemoryContext.ofLines("To be, or not to be:", "", "that is the question.");
    new Tokenize().process(context);
    assertThat(context.emitted()).containsExactlyInAnyOrder(
        new Record("to", "2"), new Record("be", "2"), new Record("or", "1"), new Record("not", "1"),
        new Record("that", "1"), new Record("is", "1"), new Record("the", "1"), new Record("question", "1"));
  }

  @Test
  void emitsNothingForAnEmptySplit() {
    InMemoryContext context = InMemoryContext.ofLines();
    new Tokenize().process(context);
    assertThat(context.emitted()).isEmpty();
  }
}
