package io.feitian.shennong.monitor.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateTest {
  @Test
  void rendersLabelsAndTheValue() {
    Template t = Template.parse("{{$labels.node}} at {{ $value }}, job {{ $labels.job }}!");
    assertThat(t.render(Map.of("node", "n1"), 0.5)).isEqualTo("n1 at 0.5, job !");
    assertThat(t.render(Map.of("node", "n1"), 4)).isEqualTo("n1 at 4, job !");
    assertThat(t.labelsUsed()).containsExactly("job", "node");
    assertThat(Template.parse("plain }} text").render(Map.of(), 1)).isEqualTo("plain }} text");
    assertThat(Template.parse("plain").isConstant()).isTrue();
  }

  @Test
  void badTemplatesNameTheProblemAndPosition() {
    assertThatThrownBy(() -> Template.parse("a {{ $value")).hasMessage("unterminated {{ at 2");
    assertThatThrownBy(() -> Template.parse("{{ $labels.no-de }}"))
        .hasMessageStartingWith("label name in {{ at 0 must match");
    assertThatThrownBy(() -> Template.parse("x {{ humanize $value }}"))
        .hasMessageStartingWith("unknown expression {{ humanize $value }} at 2");
  }
}
