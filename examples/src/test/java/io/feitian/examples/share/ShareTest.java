package io.feitian.examples.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.examples.InMemoryContext;
import io.feitian.job.api.Record;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShareTest {
  @Test
  void emitsEachWordsCountInTheSplitOverTheTotalInWordOrder() {
    InMemoryContext context = InMemoryContext.ofLines("the cat and the hat", "The end")
        .withUpstream("total", List.of(new Record("total", "50")));
    new Share().process(context);
    assertThat(context.emitted()).containsExactly(
        new Record("and", "1/50"), new Record("cat", "1/50"), new Record("end", "1/50"),
        new Record("hat", "1/50"), new Record("the", "3/50"));
  }

  @Test
  void failsWithoutExactlyOneTotal() {
    InMemoryContext none = InMemoryContext.ofLines("a").withUpstream("total", List.of());
    assertThatThrownBy(() -> new Share().process(none)).hasMessage("expected one record from task 'total', got 0");

    InMemoryContext two = InMemoryContext.ofLines("a")
        .withUpstream("total", List.of(new Record("total", "1"), new Record("total", "2")));
    assertThatThrownBy(() -> new Share().process(two)).hasMessage("expected one record from task 'total', got 2");
  }
}
