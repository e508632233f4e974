package io.feitian.examples.wordcount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.examples.InMemoryContext;
import io.feitian.job.api.Record;
import java.util.List;
import org.junit.jupiter.api.Test;

class CountTest {
  @Test
  void sumsTheCountsOfEachWordInWordOrder() {
    InMemoryContext context = new InMemoryContext(List.of(
        new Record("the", "3"), new Record("cat", "1"), new Record("the", "4"), new Record("apple", "2"),
        new Record("cat", "10")));
    new Count().process(context);
    assertThat(context.emitted())
        .containsExactly(new Record("apple", "2"), new Record("cat", "11"), new Record("the", "7"));
  }

  @Test
  void sumsBeyondTheIntRange() {
    String max = String.valueOf(Integer.MAX_VALUE);
    InMemoryContext context = new InMemoryContext(List.of(new Record("w", max), new Record("w", max)));
    new Count().process(context);
    assertThat(context.emitted()).containsExactly(new Record("w", "4294967294"));
  }

  @Test
  void failsOnACountThatIsNotANumber() {
    InMemoryContext context = new InMemoryContext(List.of(new Record("w", "many")));
    assertThatThrownBy(() -> new Count().process(context)).isInstanceOf(NumberFormatException.class);
  }
}
