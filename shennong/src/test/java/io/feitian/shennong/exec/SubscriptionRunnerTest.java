package io.feitian.shennong.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.proto.shennong.v1.AddSubscription;
import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.Kind;
import io.feitian.proto.shennong.v1.Operation;
import io.feitian.proto.shennong.v1.PartialReport;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.Severity;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.shennong.series.EventLog;
import io.feitian.shennong.series.SeriesStore;
import io.feitian.shennong.series.StoreLimits;
import io.feitian.shennong.wire.QueryProtos;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubscriptionRunnerTest {
  private static final long T0 = 1_700_000_000_000L; // a multiple of every step used here
  private static final long DELAY = 50;

  private final List<PartialReport> reports = new ArrayList<>();
  private final List<String> refusals = new ArrayList<>();
  private final SubscriptionRunner runner = new SubscriptionRunner(new SeriesStore(StoreLimits.DEFAULT),
      new EventLog(600_000, 100), DELAY, T0, new SubscriptionRunner.Outbox() {
        @Override
        public void report(PartialReport report) {
          reports.add(report);
        }

        @Override
        public void refused(String subscriptionId, String reason) {
          refusals.add(subscriptionId + ": " + reason);
        }
      });

  private static AddSubscription add(String id, SubscribeRequest request, long firstWindowEnd) {
    return AddSubscription.newBuilder().setSubscriptionId(id).setRequest(request).setFirstWindowEndMs(firstWindowEnd)
        .build();
  }

  private static SubscribeRequest sum(String selector, long window, long step) {
    return SubscribeRequest.newBuilder().setSelector(selector).setOperation(Operation.OPERATION_SUM)
        .setWindowMs(window).setStepMs(step).build();
  }

  private static SubscribeRequest raw(String selector) {
    return SubscribeRequest.newBuilder().setSelector(selector).setOperation(Operation.OPERATION_RAW).build();
  }

  private static Sample sample(String name, Map<String, String> labels, long ts, double value) {
    return Sample.newBuilder().setName(name).putAllLabels(labels).setTimestampMs(ts).setValue(value).build();
  }

  private void write(long now, Sample... samples) {
    runner.write(WriteRequest.newBuilder().setSource("test").addAllSamples(List.of(samples)).build(), now);
  }

  private static double sumOf(PartialReport r) {
    return r.getGroupsList().stream().mapToDouble(g -> g.getAggregate().getSum()).sum();
  }

  @Test
  void everyWindowIsReportedOnceItsDelayHasPassedEvenAnEmptyOne() {
    runner.startSession(1000);
    write(T0 + 100, sample("cpu", Map.of(), T0 + 100, 3), sample("cpu", Map.of("n", "b"), T0 + 200, 4));
    runner.add(add("s", sum("cpu", 1000, 1000), T0 + 1000), T0 + 300);
    assertThat(reports).isEmpty();
    assertThat(runner.nextDueMs(T0 + 300)).isEqualTo(T0 + 1000 + DELAY);

    runner.runDue(T0 + 1000 + DELAY - 1);
    assertThat(reports).isEmpty();
    runner.runDue(T0 + 1000 + DELAY);
    assertThat(reports).hasSize(1);
    assertThat(reports.get(0).getWindowEndMs()).isEqualTo(T0 + 1000);
    assertThat(reports.get(0).getSequence()).isEqualTo(1);
    assertThat(sumOf(reports.get(0))).isEqualTo(7);
    assertThat(reports.get(0).getIncompleteSeries()).isZero();

    runner.runDue(T0 + 2000 + DELAY); // nothing written in (T0+1000, T0+2000]
    assertThat(reports).hasSize(2);
    assertThat(reports.get(1).getGroupsList()).isEmpty();
    assertThat(reports.get(1).getSequence()).isEqualTo(2);
  }

  @Test
  void aWindowThatBeganBeforeTheAgentStartedIsMarkedIncomplete() {
    runner.startSession(1000);
    write(T0 + 100, sample("cpu", Map.of(), T0 + 100, 3));
    runner.add(add("s", sum("cpu", 2000, 1000), T0 + 1000), T0 + 1100);
    assertThat(reports).singleElement().satisfies(r -> {
      assertThat(sumOf(r)).isEqualTo(3);
      assertThat(r.getIncompleteSeries()).isEqualTo(1);
    });
    runner.runDue(T0 + 2000 + DELAY); // (T0, T0+2000]: all of it after the start
    assertThat(reports.get(1).getIncompleteSeries()).isZero();
  }

  @Test
  void anAgentThatFellBehindSkipsTheWindowsItsMasterGaveUpOn() {
    runner.startSession(500);
    runner.add(add("s", sum("cpu", 1000, 1000), T0 + 1000), T0 + 1000);
    runner.runDue(T0 + 10_200); // a long pause: windows up to T0+9000 ended more than 500 ms ago
    assertThat(reports).extracting(PartialReport::getWindowEndMs).containsExactly(T0 + 10_000);
  }

  @Test
  void aFirstWindowAlreadyEndedIsReportedAtOnce() {
    runner.startSession(1000);
    write(T0 + 500, sample("cpu", Map.of(), T0 + 500, 2));
    runner.add(add("s", sum("cpu", 1000, 1000), T0 + 1000), T0 + 1100);
    assertThat(reports).hasSize(1);
    assertThat(sumOf(reports.get(0))).isEqualTo(2);
  }

  @Test
  void rawStartsWithTheNewestSampleOfEachSeriesThenForwardsWhatIsAcceptedAndMatches() {
    write(T0 + 1, sample("cpu", Map.of("n", "a"), T0 + 1, 1), sample("cpu", Map.of("n", "a"), T0 + 2, 2),
        sample("mem", Map.of(), T0 + 1, 9));
    runner.add(add("r", raw("cpu"), 0), T0 + 10);
    assertThat(reports).hasSize(1);
    assertThat(reports.get(0).getSamplesList()).extracting(Sample::getValue).containsExactly(2.0);

    // An out-of-order sample is refused by the store and so never forwarded; mem does not match.
    write(T0 + 20, sample("cpu", Map.of("n", "a"), T0 + 2, 99), sample("cpu", Map.of("n", "a"), T0 + 3, 3),
        sample("mem", Map.of(), T0 + 3, 9));
    assertThat(reports).hasSize(2);
    assertThat(reports.get(1).getSamplesList()).extracting(Sample::getValue).containsExactly(3.0);
    assertThat(reports.get(1).getSequence()).isEqualTo(2);

    write(T0 + 30, sample("mem", Map.of(), T0 + 4, 9));
    assertThat(reports).as("a write without a match sends nothing").hasSize(2);
  }

  private static SubscribeRequest events(String selector, long sinceMs) {
    return SubscribeRequest.newBuilder().setSelector(selector).setKind(Kind.KIND_EVENTS)
        .setOperation(Operation.OPERATION_RAW).setEventsSinceMs(sinceMs).build();
  }

  private static Event event(String name, Severity severity, long stampMs) {
    return Event.newBuilder().setName(name).setSeverity(severity).setTimestampMs(stampMs).build();
  }

  private void writeEvents(long now, Event... events) {
    runner.write(WriteRequest.newBuilder().setSource("test").addAllEvents(List.of(events)).build(), now);
  }

  @Test
  void eventsStartWithThoseStillHeldOldestFirstThenThoseThatMatchGoUp() {
    Event failed = event("job.failed", Severity.SEVERITY_ERROR, T0 + 2);
    Event earlier = event("job.lost", Severity.SEVERITY_CRITICAL, T0 + 1);
    Event info = event("job.started", Severity.SEVERITY_INFO, T0);
    writeEvents(T0 + 10, failed, info);
    writeEvents(T0 + 11, earlier); // arrived later, stamped earlier
    runner.add(add("e", events("job.*{severity>=\"error\"}", 0), 0), T0 + 20);
    assertThat(reports).singleElement().satisfies(first -> {
      assertThat(first.getSequence()).isEqualTo(1);
      assertThat(first.getEventsList()).as("matching, oldest stamp first").containsExactly(earlier, failed);
      assertThat(first.getEventsOmitted()).isZero();
    });

    Event next = event("job.failed", Severity.SEVERITY_ERROR, T0 + 30);
    writeEvents(T0 + 30, next, event("job.started", Severity.SEVERITY_INFO, T0 + 30));
    assertThat(reports).hasSize(2);
    assertThat(reports.get(1).getEventsList()).containsExactly(next);
    assertThat(reports.get(1).getSequence()).isEqualTo(2);
  }

  @Test
  void aResumedEventsSubscriptionStartsAfterItsSinceAndAnEmptyFirstReportIsStillSent() {
    writeEvents(T0 + 10, event("a", Severity.SEVERITY_INFO, T0 + 1), event("b", Severity.SEVERITY_INFO, T0 + 2),
        event("c", Severity.SEVERITY_INFO, T0 + 3));
    runner.add(add("resumed", events("*", T0 + 2), 0), T0 + 20);
    assertThat(reports.get(0).getEventsList()).extracting(Event::getName).containsExactly("c");
    runner.add(add("none", events("nothing.matches", 0), 0), T0 + 20);
    assertThat(reports.get(1).getSubscriptionId()).isEqualTo("none");
    assertThat(reports.get(1).getEventsList()).as("the master waits for every agent's first report").isEmpty();
    runner.add(add("ahead", events("*", T0 + 2 * QueryProtos.MAX_SINCE_AHEAD_MS), 0), T0 + 20);
    assertThat(refusals).singleElement().asString().startsWith("ahead: events_since_ms must be");
  }

  @Test
  void aWindowLongerThanTheRetentionOrABadRequestIsRefusedAndNotRun() {
    runner.add(add("long", sum("cpu", 3_600_000, 1000), T0), T0);
    runner.add(add("bad", sum("cpu{", 1000, 1000), T0), T0);
    assertThat(refusals).hasSize(2);
    assertThat(refusals.get(0)).startsWith("long: window_ms 3600000 exceeds this agent's retention 120000");
    assertThat(refusals.get(1)).startsWith("bad: selector");
    assertThat(runner.size()).isZero();
  }

  @Test
  void aRemovedOrClearedSubscriptionReportsNothingMore() {
    runner.startSession(1000);
    runner.add(add("a", sum("cpu", 1000, 1000), T0 + 1000), T0);
    runner.add(add("b", raw("cpu"), 0), T0);
    reports.clear();
    runner.remove("a");
    assertThat(runner.nextDueMs(T0)).isEqualTo(Long.MAX_VALUE);
    runner.startSession(1000);
    assertThat(runner.size()).isZero();
    write(T0 + 10, sample("cpu", Map.of(), T0 + 10, 1));
    runner.runDue(T0 + 5000);
    assertThat(reports).isEmpty();
  }

  /** A runner whose delay adapts between 5 and 50 ms, reporting into {@code into}. */
  private static SubscriptionRunner adaptive(List<PartialReport> into) {
    return new SubscriptionRunner(new SeriesStore(StoreLimits.DEFAULT), new EventLog(600_000, 100), 5, DELAY, T0,
        new SubscriptionRunner.Outbox() {
          @Override
          public void report(PartialReport report) {
            into.add(report);
          }

          @Override
          public void refused(String subscriptionId, String reason) {
            throw new AssertionError(reason);
          }
        });
  }

  private static void write(SubscriptionRunner r, long now, Sample... samples) {
    r.write(WriteRequest.newBuilder().setSource("test").addAllSamples(List.of(samples)).build(), now);
  }

  @Test
  void theDelayFollowsTheLagOfTheSamplesWithinItsBoundsAndForgetsAnOldLag() {
    List<PartialReport> out = new ArrayList<>();
    SubscriptionRunner r = adaptive(out);
    r.startSession(1000);
    r.add(add("s", sum("cpu", 1000, 1000), T0 + 1000), T0 + 100);
    assertThat(r.evaluationDelayMs(T0 + 100)).as("no lag seen: the least").isEqualTo(5);
    write(r, T0 + 130, sample("cpu", Map.of(), T0 + 110, 1)); // 20 ms on the way
    assertThat(r.nextDueMs(T0 + 130)).isEqualTo(T0 + 1000 + 20 + 5);
    r.runDue(T0 + 1024);
    assertThat(out).isEmpty();
    r.runDue(T0 + 1025);
    assertThat(out).singleElement().satisfies(p -> assertThat(sumOf(p)).isEqualTo(1));
    write(r, T0 + 1500, sample("cpu", Map.of(), T0 + 1300, 2)); // 200 ms: the most, 50
    assertThat(r.evaluationDelayMs(T0 + 1500)).isEqualTo(DELAY);
    // A lag counts for the period it was seen in and the next (10 s each); then it is forgotten.
    assertThat(r.evaluationDelayMs(T0 + 100 + SubscriptionRunner.LAG_PERIOD_MS)).isEqualTo(DELAY);
    assertThat(r.evaluationDelayMs(T0 + 100 + 2 * SubscriptionRunner.LAG_PERIOD_MS)).isEqualTo(5);
  }

  @Test
  void aSampleThatComesAfterItsWindowWasReportedIsCountedInTheNextReport() {
    List<PartialReport> out = new ArrayList<>();
    SubscriptionRunner r = adaptive(out);
    r.startSession(1000);
    write(r, T0 + 500, sample("cpu", Map.of("n", "old"), T0 + 500, 1)); // before the first window: not late
    r.add(add("s", sum("cpu", 1000, 1000), T0 + 2000), T0 + 1500);
    r.runDue(T0 + 2005);
    assertThat(out).singleElement().satisfies(p -> assertThat(p.getLateSamples()).isZero());
    // Stamped in (T0+1000, T0+2000], the window just reported, arriving later than its delay.
    write(r, T0 + 2010, sample("cpu", Map.of("n", "a"), T0 + 1990, 7), sample("mem", Map.of(), T0 + 1990, 1),
        sample("cpu", Map.of("n", "b"), T0 + 2005, 3), sample("cpu", Map.of("n", "old"), T0 + 400, 1));
    assertThat(r.evaluationDelayMs(T0 + 2010)).as("the delay grew with that lag").isEqualTo(25);
    r.runDue(T0 + 3025);
    assertThat(out).hasSize(2);
    PartialReport next = out.get(1);
    assertThat(next.getLateSamples()).as("cpu{n=a} only: mem does not match, n=b is in this window, and n=old "
        + "is before the first window (and refused as older than its series' newest)").isEqualTo(1);
    assertThat(sumOf(next)).as("the late sample is in no window").isEqualTo(3);
    r.runDue(T0 + 4025);
    assertThat(out.get(2).getLateSamples()).as("counted once").isZero();
  }
}
