package io.feitian.client.shennong;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.proto.shennong.v1.Severity;
import org.junit.jupiter.api.Test;

class DaemonReportTest {
  @Test
  void aFigureIsFoundByItsNameAndExactlyItsLabels() {
    DaemonReport r = new DaemonReport.Builder().gauge("a", 1, "x", "1").gauge("a", 2, "x", "1", "y", "2")
        .counter("b", 3).build();
    assertThat(r.value("a", "x", "1")).hasValue(1);
    assertThat(r.value("a", "y", "2", "x", "1")).hasValue(2);
    assertThat(r.value("a")).isEmpty();
    assertThat(r.value("b")).hasValue(3);
  }

  @Test
  void textIsCutWithoutSplittingASurrogatePair() {
    String clef = "\uD834\uDD1E"; // one code point, two chars
    String text = "a".repeat(DaemonReport.MAX_LABEL_CHARS - 1) + clef;
    DaemonReport.Event e = new DaemonReport.Builder().event("e", Severity.SEVERITY_INFO, "m", "why", text).build()
        .events().get(0);
    assertThat(e.labels().get("why")).isEqualTo("a".repeat(DaemonReport.MAX_LABEL_CHARS - 1));
  }
}
