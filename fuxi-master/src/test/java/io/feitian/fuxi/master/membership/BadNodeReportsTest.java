package io.feitian.fuxi.master.membership;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BadNodeReportsTest {
  @Test
  void enoughDifferentApplicationsWithinTheWindowMakeANodeBad() {
    BadNodeReports r = new BadNodeReports(3, 1_000);
    assertThat(r.report("n1", "app-1", 0)).isEmpty();
    assertThat(r.report("n1", "app-1", 10)).as("the same application counts once").isEmpty();
    assertThat(r.report("n1", "app-2", 20)).isEmpty();
    assertThat(r.report("n2", "app-3", 30)).as("another node").isEmpty();
    assertThat(r.report("n1", "app-3", 40)).containsExactly("app-1", "app-2", "app-3");
    assertThat(r.report("n1", "app-4", 50)).as("counting starts over").isEmpty();
  }

  @Test
  void oldReportsExpire() {
    BadNodeReports r = new BadNodeReports(2, 1_000);
    r.report("n1", "app-1", 0);
    assertThat(r.report("n1", "app-2", 1_500)).isEmpty();
    assertThat(r.report("n1", "app-3", 1_600)).containsExactly("app-2", "app-3");
  }

  @Test
  void aThresholdOfZeroTurnsItOff() {
    BadNodeReports r = new BadNodeReports(0, 1_000);
    for (int i = 0; i < 10; i++) {
      assertThat(r.report("n1", "app-" + i, i)).isEmpty();
    }
  }
}
