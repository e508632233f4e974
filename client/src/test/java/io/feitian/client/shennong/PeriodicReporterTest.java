package io.feitian.client.shennong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.feitian.proto.shennong.v1.Severity;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The reporting shell against a real gRPC server running the agent's write path. */
class PeriodicReporterTest extends AgentTest {
  private ShennongWriter writer(Duration flush) {
    return new ShennongWriter(ShennongWriter.Options.defaults("job-master:app-1").withAgent(agent.address())
        .withLabel("job", "app-1").withFlushInterval(flush));
  }

  @Test
  void everyIntervalTheSourcesFiguresAndEventsReachTheAgent() {
    AtomicInteger calls = new AtomicInteger();
    try (PeriodicReporter r = new PeriodicReporter(writer(Duration.ofMillis(50)), "test", Duration.ofMillis(50), () -> {
      int n = calls.incrementAndGet();
      DaemonReport.Builder b = new DaemonReport.Builder().gauge("job.instances", n, "task", "map", "state", "done")
          .counter("job.attempts.failed", 2, "task", "map");
      return n == 1 ? b.event("job.instance.failed", Severity.SEVERITY_WARNING, "map[0] failed", "task", "map")
          .build() : b.build();
    })) {
      await().atMost(WAIT).until(() -> agent.values("job.instances", "job", "app-1", "task", "map", "state", "done")
          .size() >= 3);
      assertThat(agent.newest("job.attempts.failed", "job", "app-1", "task", "map")).isEqualTo(2.0);
      assertThat(agent.events()).singleElement().satisfies(e -> {
        assertThat(e.getName()).isEqualTo("job.instance.failed");
        assertThat(e.getLabelsMap()).containsEntry("job", "app-1").containsEntry("task", "map");
      });
    }
  }

  /** A daemon that exits right after its last change (a job's end) loses nothing: close reports once more and flushes. */
  @Test
  void closeTakesALastReportAndFlushesItEvenWithAnHourBetweenReports() {
    AtomicInteger calls = new AtomicInteger();
    PeriodicReporter r = new PeriodicReporter(writer(Duration.ofHours(1)), "test", Duration.ofHours(1), () -> {
      calls.incrementAndGet();
      return new DaemonReport.Builder().event("job.finished", Severity.SEVERITY_INFO, "done").build();
    });
    r.close();
    assertThat(calls).hasValue(1);
    assertThat(agent.events()).extracting(e -> e.getName()).containsExactly("job.finished");
    r.close();
    assertThat(calls).as("closing twice reports once").hasValue(1);
  }

  @Test
  void aSourceThatFailsReportsNothingThatTimeAndTheNextReportIsTakenAsUsual() {
    AtomicInteger calls = new AtomicInteger();
    try (PeriodicReporter r = new PeriodicReporter(writer(Duration.ofMillis(50)), "test", Duration.ofMillis(50), () -> {
      if (calls.incrementAndGet() == 1) {
        throw new IllegalStateException("the loop is busy");
      }
      return new DaemonReport.Builder().gauge("service.partitions", calls.get(), "state", "serving").build();
    })) {
      await().atMost(WAIT).until(() -> agent.newest("service.partitions", "job", "app-1", "state", "serving") != null);
      assertThat(agent.values("service.partitions", "job", "app-1", "state", "serving")).doesNotContain(1.0);
    }
  }

  @Test
  void theIntervalMustBePositive() {
    try (ShennongWriter w = writer(Duration.ofSeconds(1))) {
      assertThatThrownBy(() -> new PeriodicReporter(w, "test", Duration.ZERO, () -> null))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("interval");
    }
  }
}
