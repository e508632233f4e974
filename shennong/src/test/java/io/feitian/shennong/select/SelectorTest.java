package io.feitian.shennong.select;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SelectorTest {
  private static final Map<String, String> N1_TASK = Map.of("node", "n1", "role", "task-worker");

  @Test
  void aNameAloneMatchesEverySeriesOfThatName() {
    Selector s = Selector.parse("cpu.usage");
    assertThat(s.matches("cpu.usage", Map.of())).isTrue();
    assertThat(s.matches("cpu.usage", N1_TASK)).isTrue();
    assertThat(s.matches("cpu.usage2", Map.of())).isFalse();
    assertThat(s.exactNames()).containsExactly("cpu.usage");
  }

  @Test
  void wildcardsMatchAnyRunIncludingDotsAndNothing() {
    Selector s = Selector.parse("cpu.*");
    assertThat(s.matches("cpu.", Map.of())).isTrue();
    assertThat(s.matches("cpu.core.0.usage", Map.of())).isTrue();
    assertThat(s.matches("cpux", Map.of())).isFalse();
    assertThat(s.exactNames()).isNull();
    Selector middle = Selector.parse("*.usage*");
    assertThat(middle.matches("cpu.usage", Map.of())).isTrue();
    assertThat(middle.matches("disk.sda.usage_pct", Map.of())).isTrue();
    assertThat(middle.matches("usage", Map.of())).isFalse();
    assertThat(Selector.parse("a*b*c").matches("aXbYbZc", Map.of())).isTrue();
    assertThat(Selector.parse("a*b*c").matches("aXbYc_", Map.of())).isFalse();
  }

  @Test
  void alternativesMatchAnyOfTheirNames() {
    Selector s = Selector.parse("fuxi.* | task_worker.running");
    assertThat(s.matchesName("fuxi.grants")).isTrue();
    assertThat(s.matchesName("task_worker.running")).isTrue();
    assertThat(s.matchesName("task_worker.failed")).isFalse();
    assertThat(Selector.parse("a|b|a").exactNames()).containsExactly("a", "b");
  }

  @Test
  void labelMatchersAllHoldAndRegexesMatchTheWholeValue() {
    Selector s = Selector.parse("cpu.usage{node=\"n1\",role=~\"task.*\"}");
    assertThat(s.matches("cpu.usage", N1_TASK)).isTrue();
    assertThat(s.matches("cpu.usage", Map.of("node", "n2", "role", "task-worker"))).isFalse();
    assertThat(s.matches("cpu.usage", Map.of("node", "n1", "role", "a-task"))).isFalse();
    assertThat(Selector.parse("x{role=~\"task\"}").matches("x", N1_TASK)).isFalse();
    assertThat(Selector.parse("x{role!~\"task\"}").matches("x", N1_TASK)).isTrue();
    assertThat(Selector.parse("x{node!=\"n1\"}").matches("x", N1_TASK)).isFalse();
  }

  @Test
  void anAbsentLabelIsTheEmptyValue() {
    assertThat(Selector.parse("x{rack=\"\"}").matches("x", N1_TASK)).isTrue();
    assertThat(Selector.parse("x{rack!=\"r1\"}").matches("x", N1_TASK)).isTrue();
    assertThat(Selector.parse("x{rack=~\".*\"}").matches("x", N1_TASK)).isTrue();
    assertThat(Selector.parse("x{rack=~\".+\"}").matches("x", N1_TASK)).isFalse();
  }

  @Test
  void matchersWithoutANameSelectAnySeries() {
    Selector s = Selector.parse("{ node = 'n1' , }");
    assertThat(s.matches("anything", N1_TASK)).isTrue();
    assertThat(s.matches("anything", Map.of("node", "n2"))).isFalse();
  }

  @Test
  void quotedValuesTakeEscapes() {
    Selector s = Selector.parse("x{path=\"a\\\"b\\\\c\\n\", q='it\\'s'}");
    assertThat(s.matches("x", Map.of("path", "a\"b\\c\n", "q", "it's"))).isTrue();
    assertThat(Selector.parse("x{v=~\"a\\\\.b\"}").matches("x", Map.of("v", "a.b"))).isTrue();
    assertThat(Selector.parse("x{v=~\"a\\\\.b\"}").matches("x", Map.of("v", "aXb"))).isFalse();
  }

  @Test
  void printingAndParsingAgainGivesTheSameSelector() {
    for (String text : new String[] {"cpu.usage", "a|b*{x=\"1\",y!~\"z.*\"}", "{v=\"q\\\"\\n\\\\\"}",
        "x{a!=\"\",b=~\"(c|d)+\"}"}) {
      Selector s = Selector.parse(text);
      assertThat(Selector.parse(s.toString()).toString()).as(text).isEqualTo(s.toString());
    }
    assertThat(Selector.parse(" a | b { x = 'y' } ").toString()).isEqualTo("a|b{x=\"y\"}");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "`cpu.usage{node=\"n1`                     | selector: unterminated string at 15",
      "`cpu.usage{node=\"n1\\`                   | selector: unterminated string at 15",
      "``                                        | selector: is empty at 0",
      "`   `                                     | selector: is empty at 3",
      "`{}`                                      | selector: selects everything: name a series (or *) or add a matcher at 0",
      "`cpu{`                                    | selector: '{' at 3 is not closed at 4",
      "`cpu{node=\"a\"`                          | selector: '{' at 3 is not closed at 12",
      "`cpu{node}`                               | selector: expected one of = != =~ !~ after node but found '}' at 8",
      "`cpu{node==\"a\"}`                        | selector: expected a quoted value but found '=' at 9",
      "`cpu{node=a}`                             | selector: expected a quoted value but found 'a' at 9",
      "`cpu{1node=\"a\"}`                        | selector: expected a label name but found '1' at 4",
      "`cpu{node=\"a\" role=\"b\"}`              | selector: expected ',' or '}' but found 'r' at 13",
      "`cpu{node=~\"(a\"}`                       | selector: bad regular expression for node (Unclosed group) at 10",
      "`cpu{node=\"\\q\"}`                       | selector: unknown escape \\q at 10",
      "`cpu{a=\"b\"} x`                          | selector: unexpected 'x' at 11",
      "`cpu x`                                   | selector: unexpected 'x' at 4",
      "`1cpu`                                    | selector: a name must start with a letter, '_' or '*' at 0",
      "`cpu|`                                    | selector: expected a name but found the end at 4",
      "`cpu|{a=\"b\"}`                           | selector: expected a name but found '{' at 4",
      "`cpu{severity>=\"error\"}`                | selector: '>=' is only for severity, in event selectors at 12",
      "`cpu\"`                                   | selector: unexpected '\"' at 3",
  })
  void errorsNameTheFieldTheProblemAndThePosition(String text, String message) {
    assertThatThrownBy(() -> Selector.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void limitsAreErrorsWithPositions() {
    assertThatThrownBy(() -> Selector.parse("a".repeat(Selector.MAX_CHARS + 1)))
        .hasMessage("selector: is 1025 characters; at most 1024 are allowed at 1024");
    assertThatThrownBy(() -> Selector.parse("x".repeat(257)))
        .hasMessage("selector: a name is longer than 256 characters at 0");
    StringBuilder many = new StringBuilder("x{");
    for (int i = 0; i <= Selector.MAX_MATCHERS; i++) {
      many.append("a").append(i).append("=\"\",");
    }
    String text = many.append("}").toString();
    assertThatThrownBy(() -> Selector.parse(text))
        .hasMessage("selector: has more than 32 label matchers at " + text.indexOf("a32"));
    String names = "a|".repeat(Selector.MAX_NAMES) + "a";
    assertThatThrownBy(() -> Selector.parse(names))
        .hasMessage("selector: has more than 32 names at " + (names.length() - 1));
    assertThatThrownBy(() -> Selector.parse(null)).hasMessage("selector: is required at 0");
  }
}
