package io.feitian.examples.sort;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.examples.InMemoryContext;
import io.feitian.job.api.Record;
import java.util.List;
import org.junit.jupiter.api.Test;

class SortPartitionTest {
  @Test
  void emitsRecordsByKeyThenValue() {
    InMemoryContext context = new InMemoryContext(List.of(
        new Record("b", "2"), new Record("a", "z"), new Record("B", "1"), new Record("b", "1"),
        new Record("a", "y"), new Record("a", "y")));
    new SortPartition().process(context);
    // String order: upper case before lower case, repeats kept.
    assertThat(context.emitted()).containsExactly(
        new Record("B", "1"), new Record("a", "y"), new Record("a", "y"), new Record("a", "z"),
        new Record("b", "1"), new Record("b", "2"));
  }
}
