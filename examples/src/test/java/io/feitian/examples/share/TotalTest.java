package io.feitian.examples.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.examples.InMemoryContext;
import io.feitian.job.api.Record;
import java.util.List;
import org.junit.jupiter.api.Test;

class TotalTest {
  @Test
  void sumsAllCounts() {
    InMemoryContext context = new InMemoryContext(
        List.of(new Record("the", "3"), new Record("cat", "1"), new Record("the", "4")));
    new Total().process(context);
    assertThat(context.emitted()).containsExactly(new Record("total", "8"));
  }

  @Test
  void noWordsMakeATotalOfZero() {
    InMemoryContext context = new InMemoryContext(List.of());
    new Total().process(context);
    assertThat(context.emitted()).containsExactly(new Record("total", "0"));
  }
}
