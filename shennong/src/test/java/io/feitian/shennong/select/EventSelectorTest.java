package io.feitian.shennong.select;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.proto.shennong.v1.Severity;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventSelectorTest {
  private static final LabelValues RACK_R1 = label -> label.equals("rack") ? "r1" : "";

  @Test
  void namesMinimumSeverityAndLabels() {
    EventSelector s = EventSelector.parse("job.*|node.lost{severity>=\"warning\",rack=\"r1\"}");
    assertThat(s.matches("node.lost", Severity.SEVERITY_WARNING, RACK_R1)).isTrue();
    assertThat(s.matches("job.failed", Severity.SEVERITY_CRITICAL, RACK_R1)).isTrue();
    assertThat(s.matches("node.lost", Severity.SEVERITY_INFO, RACK_R1)).isFalse();
    assertThat(s.matches("node.back", Severity.SEVERITY_ERROR, RACK_R1)).isFalse();
    assertThat(s.matches("node.lost", Severity.SEVERITY_ERROR, l -> "")).isFalse();
    assertThat(s.minSeverity()).isEqualTo(Severity.SEVERITY_WARNING);
  }

  @Test
  void withoutSeverityEveryLevelMatchesButNeverAnUnsetOne() {
    EventSelector s = EventSelector.parse("*");
    assertThat(s.matches("x", Severity.SEVERITY_DEBUG, l -> "")).isTrue();
    assertThat(s.matches("x", Severity.SEVERITY_UNSPECIFIED, l -> "")).isFalse();
    assertThat(s.matches("x", Severity.UNRECOGNIZED, l -> "")).isFalse();
  }

  @Test
  void theSeverityIsAlsoALabelForTheOrdinaryMatchers() {
    EventSelector exactly = EventSelector.parse("{severity=\"error\"}");
    assertThat(exactly.matches("x", Severity.SEVERITY_ERROR, l -> "")).isTrue();
    assertThat(exactly.matches("x", Severity.SEVERITY_CRITICAL, l -> "")).isFalse();
    EventSelector notDebug = EventSelector.parse("{severity!~\"debug|info\"}");
    assertThat(notDebug.matches("x", Severity.SEVERITY_WARNING, l -> "")).isTrue();
    assertThat(notDebug.matches("x", Severity.SEVERITY_INFO, l -> "")).isFalse();
  }

  @Test
  void severityNamesIgnoreCaseAndPrintCanonically() {
    EventSelector s = EventSelector.parse("a { severity >= 'ERROR' , b = \"c\" }");
    assertThat(s.toString()).isEqualTo("a{severity>=\"error\",b=\"c\"}");
    assertThat(EventSelector.parse(s.toString()).toString()).isEqualTo(s.toString());
    assertThat(EventSelector.parse("{severity>=\"critical\"}").toString()).isEqualTo("{severity>=\"critical\"}");
  }

  @Test
  void errorsNameThePosition() {
    assertThatThrownBy(() -> EventSelector.parse("a{severity>=\"loud\"}"))
        .hasMessage("selector: unknown severity 'loud' (debug, info, warning, error, critical) at 12");
    assertThatThrownBy(() -> EventSelector.parse("a{rack>=\"r1\"}"))
        .hasMessage("selector: '>=' compares only severity at 6");
    assertThatThrownBy(() -> EventSelector.parse("a{severity>=\"info\",severity>=\"error\"}"))
        .hasMessage("selector: repeats severity>= at 19");
    assertThatThrownBy(() -> EventSelector.parse("a{severity>=error}"))
        .hasMessage("selector: expected a quoted value but found 'e' at 12");
  }

  @Test
  void anEventSelectorWithTheSameTextAsASeriesSelectorMatchesTheSameNamesAndLabels() {
    String text = "job.*{node=~\"n[0-9]+\"}";
    Selector series = Selector.parse(text);
    EventSelector events = EventSelector.parse(text);
    for (Map<String, String> labels : java.util.List.of(Map.of("node", "n12"), Map.of("node", "x"), Map.<String, String>of())) {
      assertThat(events.matches("job.failed", Severity.SEVERITY_INFO, l -> labels.getOrDefault(l, "")))
          .isEqualTo(series.matches("job.failed", labels));
    }
  }
}
