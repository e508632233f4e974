package io.feitian.shennong.series;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SeriesKeyTest {
  @Test
  void labelsAreSortedAndEmptyOnesDropped() {
    SeriesKey a = SeriesKey.of("cpu.usage", Map.of("role", "r", "node", "n1", "rack", ""));
    SeriesKey b = SeriesKey.of("cpu.usage", Map.of("node", "n1", "role", "r"));
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.toString()).isEqualTo("cpu.usage{node=\"n1\",role=\"r\"}");
    assertThat(a.labels()).containsExactly(Map.entry("node", "n1"), Map.entry("role", "r"));
    assertThat(a.valueOf("node")).isEqualTo("n1");
    assertThat(a.valueOf("rack")).isEmpty();
    assertThat(a).isNotEqualTo(SeriesKey.of("cpu.usage", Map.of("node", "n2", "role", "r")));
    assertThat(a).isNotEqualTo(SeriesKey.of("cpu.idle", Map.of("node", "n1", "role", "r")));
  }

  @Test
  void badNamesAndLabelsAreRefusedNamingTheField() {
    assertThatThrownBy(() -> SeriesKey.of("1x", Map.of()))
        .hasMessage("name must match [A-Za-z_][A-Za-z0-9_.:-]*, got '1x'");
    assertThatThrownBy(() -> SeriesKey.of("", Map.of())).hasMessage("name is required");
    assertThatThrownBy(() -> SeriesKey.of("x", Map.of("a.b", "v")))
        .hasMessage("labels name must match [A-Za-z_][A-Za-z0-9_]*, got 'a.b'");
    assertThatThrownBy(() -> SeriesKey.of("x", Map.of("a", "v".repeat(1025))))
        .hasMessage("labels['a'] is 1025 characters; at most 1024 are allowed");
    Map<String, String> many = new HashMap<>();
    for (int i = 0; i < 33; i++) {
      many.put("l" + i, "v");
    }
    assertThatThrownBy(() -> SeriesKey.of("x", many)).hasMessage("labels has 33 labels; at most 32 are allowed");
  }
}
