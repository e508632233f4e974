package io.feitian.shennong.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.proto.shennong.v1.AgentHello;
import io.feitian.proto.shennong.v1.AgentStatus;
import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.Kind;
import io.feitian.proto.shennong.v1.Operation;
import io.feitian.proto.shennong.v1.PartialReport;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.Severity;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.feitian.proto.shennong.v1.SubscriptionCommand;
import io.feitian.proto.shennong.v1.SubscriptionUpdate;
import io.feitian.shennong.ops.AgentEvaluator;
import io.feitian.shennong.ops.WindowQuery;
import io.feitian.shennong.series.SeriesKey;
import io.feitian.shennong.series.SeriesStore;
import io.feitian.shennong.series.StoreLimits;
import io.feitian.shennong.wire.PartialProtos;
import io.feitian.shennong.wire.QueryProtos;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class FanOutTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final long GRACE = 500;
  private static final long STATUS = 1000;

  private final Map<String, List<SubscriptionCommand>> toAgents = new HashMap<>();
  private final List<String> pending = new ArrayList<>();
  private final List<String> ended = new ArrayList<>();
  private final List<String> lost = new ArrayList<>();
  // Made as the master makes it: other threads read reports through it.
  private final FanOut fanOut = new FanOut(new FanOut.Settings(GRACE, STATUS, 60_000, 3), new FanOut.Outbox() {
    @Override
    public void toAgent(String nodeId, SubscriptionCommand command) {
      toAgents.computeIfAbsent(nodeId, n -> new ArrayList<>()).add(command);
    }

    @Override
    public void pending(String subscriptionId) {
      pending.add(subscriptionId);
    }

    @Override
    public void end(String subscriptionId, FanOut.Ending ending, String message) {
      ended.add(subscriptionId + " " + ending + ": " + message);
    }

    @Override
    public void loseSession(String nodeId, long sessionId, String reason) {
      lost.add(nodeId + "/" + sessionId);
    }
  }, new ConcurrentHashMap<>());
  /** Each agent's own store, so reports are computed as a real agent computes them. */
  private final Map<String, SeriesStore> stores = new HashMap<>();

  private void hello(long session, String node, long now, String... names) {
    fanOut.hello(session, AgentHello.newBuilder().setNodeId(node).setAddress(node + ":7300").setIncarnation(session)
        .setRetentionMs(120_000).setStatus(AgentStatus.newBuilder().addAllSeriesNames(List.of(names))).build(), now);
    stores.put(node, new SeriesStore(StoreLimits.DEFAULT));
  }

  private void write(String node, String name, Map<String, String> labels, long ts, double value) {
    stores.get(node).append("test", SeriesKey.of(name, labels), ts, value);
  }

  private static SubscribeRequest windowed(Operation op, String selector, String... groupBy) {
    return SubscribeRequest.newBuilder().setSelector(selector).setOperation(op).addAllGroupBy(List.of(groupBy))
        .setWindowMs(1000).setStepMs(1000).build();
  }

  /** The agent's report of the window ending at {@code end}, as SubscriptionRunner computes it. */
  private void report(long session, String node, String subscription, SubscribeRequest request, long end, long now) {
    WindowQuery q = QueryProtos.metrics(request);
    fanOut.report(session, node, PartialProtos.report(subscription, 1, end, q,
        AgentEvaluator.evaluate(stores.get(node), q, end)), now);
  }

  private List<String> added(String node) {
    return toAgents.getOrDefault(node, List.of()).stream().filter(SubscriptionCommand::hasAdd)
        .map(c -> c.getAdd().getSubscriptionId()).toList();
  }

  @Test
  void aWindowMergesTheReportsOfEveryRoutedAgentAsSoonAsTheLastArrives() {
    hello(1, "a", T0, "cpu");
    hello(2, "b", T0, "cpu", "mem");
    hello(3, "c", T0, "mem");
    SubscribeRequest avg = windowed(Operation.OPERATION_AVG, "cpu");
    fanOut.subscribe("s", avg, T0 + 10);
    assertThat(added("a")).containsExactly("s");
    assertThat(added("b")).containsExactly("s");
    assertThat(added("c")).as("holds no cpu series").isEmpty();
    assertThat(toAgents.get("a").get(0).getAdd().getFirstWindowEndMs()).isEqualTo(T0);

    write("a", "cpu", Map.of(), T0 - 500, 10);
    write("b", "cpu", Map.of(), T0 - 500, 1);
    write("b", "cpu", Map.of("core", "1"), T0 - 400, 1);
    report(1, "a", "s", avg, T0, T0 + 20);
    assertThat(fanOut.drain("s")).as("b has not reported").isNull();
    report(2, "b", "s", avg, T0, T0 + 30);
    SubscriptionUpdate u = fanOut.drain("s");
    assertThat(u.getSequence()).isEqualTo(1);
    assertThat(u.getWindowStartMs()).isEqualTo(T0 - 1000);
    assertThat(u.getGroups(0).getValue()).isEqualTo(12 / 3.0); // sum over count, never an average of averages
    assertThat(u.getGroups(0).getSeries()).isEqualTo(3);
    assertThat(u.getGap().getMissingAgentsList()).isEmpty();
  }

  @Test
  void aReportReadOnAnotherThreadIsMergedAndAMalformedOneRefused() throws Exception {
    hello(1, "a", T0, "cpu");
    hello(2, "b", T0, "cpu");
    SubscribeRequest sum = windowed(Operation.OPERATION_SUM, "cpu");
    WindowQuery q = QueryProtos.metrics(sum);
    PartialReport early = PartialProtos.report("s", 1, T0, q, AgentEvaluator.evaluate(stores.get("a"), q, T0));
    FanOut.Received readTooEarly = fanOut.read(early); // before the subscription exists: read again when taken
    fanOut.subscribe("s", sum, T0 + 10);
    write("a", "cpu", Map.of(), T0 - 500, 2);
    write("b", "cpu", Map.of(), T0 - 400, 3);
    PartialReport fromA = PartialProtos.report("s", 1, T0, q, AgentEvaluator.evaluate(stores.get("a"), q, T0));
    PartialReport fromB = PartialProtos.report("s", 1, T0, q, AgentEvaluator.evaluate(stores.get("b"), q, T0));
    PartialReport malformed = fromB.toBuilder().setGroups(0, fromB.getGroups(0).toBuilder()
        .setAggregate(fromB.getGroups(0).getAggregate().toBuilder().setDigest(com.google.protobuf.ByteString.copyFromUtf8("x"))))
        .build();
    // As the master's transport threads do: read off the driving thread, then taken on it.
    ExecutorService transport = Executors.newSingleThreadExecutor();
    try {
      FanOut.Received a = transport.submit(() -> fanOut.read(fromA)).get();
      FanOut.Received bad = transport.submit(() -> fanOut.read(malformed)).get();
      FanOut.Received b = transport.submit(() -> fanOut.read(fromB)).get();
      fanOut.report(2, "b", bad, T0 + 20);
      assertThat(fanOut.refusedReports()).as("a digest on SUM").isEqualTo(1);
      assertThat(fanOut.report(1, "a", a, T0 + 20)).as("a windowed report may complete a window").isTrue();
      fanOut.report(2, "b", b, T0 + 30);
    } finally {
      transport.shutdownNow();
    }
    SubscriptionUpdate u = fanOut.drain("s");
    assertThat(u.getGroups(0).getValue()).isEqualTo(5);
    assertThat(u.getGap().getMissingAgentsList()).isEmpty();
    fanOut.report(1, "a", readTooEarly, T0 + 40);
    assertThat(fanOut.refusedReports()).as("read again for the query, and refused as a window already merged")
        .isEqualTo(2);
    fanOut.unsubscribe("s");
    assertThat(fanOut.read(fromA).report()).isSameAs(fromA);
  }

  @Test
  void lateSamplesTheAgentsCountedReachTheSubscriberAddedUpNeverFoldedAway() {
    hello(1, "a", T0, "cpu");
    SubscribeRequest sum = windowed(Operation.OPERATION_SUM, "cpu");
    WindowQuery q = QueryProtos.metrics(sum);
    fanOut.subscribe("s", sum, T0 + 10);
    for (long end = T0, late = 2; end <= T0 + 2000; end += 1000, late++) {
      fanOut.report(1, "a", PartialProtos.report("s", 1, end, q, AgentEvaluator.evaluate(stores.get("a"), q, end))
          .toBuilder().setLateSamples(late).build(), end + 20);
      if (end == T0) {
        assertThat(fanOut.drain("s").getGap().getLateSamples()).isEqualTo(2);
      }
    }
    SubscriptionUpdate folded = fanOut.drain("s"); // a slow subscriber: two windows in one update
    assertThat(folded.getCoalescedUpdates()).isEqualTo(1);
    assertThat(folded.getGap().getLateSamples()).isEqualTo(3 + 4);
    report(1, "a", "s", sum, T0 + 3000, T0 + 3020);
    assertThat(fanOut.drain("s").getGap().getLateSamples()).isZero();
  }

  @Test
  void anAgentThatDoesNotReportIsNamedOnceTheGraceHasPassedAndNothingIsInvented() {
    hello(1, "a", T0, "cpu");
    hello(2, "b", T0, "cpu");
    SubscribeRequest sum = windowed(Operation.OPERATION_SUM, "cpu");
    fanOut.subscribe("s", sum, T0 + 10);
    write("a", "cpu", Map.of(), T0 - 1, 5);
    report(1, "a", "s", sum, T0, T0 + 20);
    assertThat(fanOut.nextDeadlineMs()).isEqualTo(T0 + GRACE);
    fanOut.tick(T0 + GRACE - 1);
    assertThat(fanOut.drain("s")).isNull();
    fanOut.tick(T0 + GRACE);
    SubscriptionUpdate u = fanOut.drain("s");
    assertThat(u.getGroups(0).getValue()).isEqualTo(5);
    assertThat(u.getGap().getMissingAgentsList()).containsExactly("b");
    // b's late report is refused, not merged into a later window.
    report(2, "b", "s", sum, T0, T0 + GRACE + 1);
    assertThat(fanOut.refusedReports()).isEqualTo(1);
  }

  @Test
  void aSlowSubscriberGetsTheNewestWindowWithTheCountOfThoseFolded() {
    hello(1, "a", T0, "cpu");
    SubscribeRequest max = windowed(Operation.OPERATION_MAX, "cpu");
    fanOut.subscribe("s", max, T0 + 10);
    for (int i = 0; i < 3; i++) {
      long end = T0 + i * 1000L;
      write("a", "cpu", Map.of(), end - 100, i);
      report(1, "a", "s", max, end, end + 20);
    }
    SubscriptionUpdate u = fanOut.drain("s");
    assertThat(u.getSequence()).isEqualTo(3);
    assertThat(u.getCoalescedUpdates()).isEqualTo(2);
    assertThat(u.getGroups(0).getValue()).isEqualTo(2);
    assertThat(u.getGroups(0).getCoalesced()).isEqualTo(2);
    assertThat(u.getWindowStartMs()).isEqualTo(T0 + 1000);
  }

  @Test
  void aRestartedAgentGetsItsSubscriptionsAgainAndALostOneIsNoLongerWaitedFor() {
    hello(1, "a", T0, "cpu");
    hello(2, "b", T0, "cpu");
    fanOut.subscribe("s", windowed(Operation.OPERATION_SUM, "cpu"), T0 + 10);
    hello(3, "a", T0 + 100, "cpu"); // a restarted: a new session
    assertThat(added("a")).containsExactly("s", "s");
    // Messages of a's old session are not a's any more.
    fanOut.report(1, "a", PartialReport.newBuilder().setSubscriptionId("s").setWindowEndMs(T0).build(), T0 + 110);
    assertThat(fanOut.drain("s")).isNull();

    // b falls silent: after three status intervals it is lost, and later windows do not wait for it.
    fanOut.status(3, "a", AgentStatus.newBuilder().addSeriesNames("cpu").build(), T0 + 3000);
    fanOut.tick(T0 + 3 * STATUS + 1);
    assertThat(lost).containsExactly("b/2");
    assertThat(fanOut.agents(false, T0 + 3001)).extracting(i -> i.getNodeId()).containsExactly("a");
    assertThat(fanOut.agents(true, T0 + 3001)).hasSize(2);
  }

  @Test
  void aLostAgentIsNamedMissingInEveryWindowWithoutBeingWaitedForUntilItIsBack() {
    hello(1, "a", T0, "cpu");
    hello(2, "b", T0, "cpu");
    SubscribeRequest sum = windowed(Operation.OPERATION_SUM, "cpu");
    fanOut.subscribe("s", sum, T0 + 10);
    fanOut.sessionEnded(2, "b", T0 + 20);
    write("a", "cpu", Map.of(), T0 - 1, 5);
    report(1, "a", "s", sum, T0, T0 + 30);
    SubscriptionUpdate u = fanOut.drain("s");
    assertThat(u.getGroups(0).getValue()).isEqualTo(5);
    assertThat(u.getGap().getMissingAgentsList()).containsExactly("b");

    hello(3, "b", T0 + 500, "cpu");
    assertThat(added("b")).containsExactly("s", "s");
    assertThat(toAgents.get("b").get(1).getAdd().getFirstWindowEndMs()).isEqualTo(T0 + 1000);
    report(1, "a", "s", sum, T0 + 1000, T0 + 1030);
    report(3, "b", "s", sum, T0 + 1000, T0 + 1040);
    assertThat(fanOut.drain("s").getGap().getMissingAgentsList()).isEmpty();
  }

  @Test
  void aNewMasterNamesTheAgentsTheRegistryListsMissingUntilTheyRegister() {
    fanOut.expect(List.of("a", "b"), T0);
    hello(1, "a", T0, "cpu");
    SubscribeRequest sum = windowed(Operation.OPERATION_SUM, "cpu");
    fanOut.subscribe("s", sum, T0 + 10);
    assertThat(added("b")).as("b has no session to push to").isEmpty();
    write("a", "cpu", Map.of(), T0 - 1, 5);
    report(1, "a", "s", sum, T0, T0 + 20);
    SubscriptionUpdate u = fanOut.drain("s");
    assertThat(u.getGroups(0).getValue()).isEqualTo(5);
    assertThat(u.getGap().getMissingAgentsList()).as("not a whole sum: b may hold cpu").containsExactly("b");
    assertThat(fanOut.agents(true, T0 + 20)).extracting(i -> i.getState().name())
        .containsExactly("AGENT_STATE_UP", "AGENT_STATE_LOST");

    hello(2, "b", T0 + 100, "mem"); // b registers: it holds no cpu, so the subscription leaves it
    assertThat(added("b")).isEmpty();
    report(1, "a", "s", sum, T0 + 1000, T0 + 1020);
    assertThat(fanOut.drain("s").getGap().getMissingAgentsList()).isEmpty();
  }

  @Test
  void aSubscriberThatLeavesIsRemovedFromEveryAgentItRanOn() {
    hello(1, "a", T0, "cpu");
    hello(2, "b", T0, "cpu");
    fanOut.subscribe("s", windowed(Operation.OPERATION_SUM, "cpu"), T0);
    fanOut.unsubscribe("s");
    for (String node : List.of("a", "b")) {
      assertThat(toAgents.get(node)).last().matches(c -> c.getRemove().getSubscriptionId().equals("s"));
    }
    assertThat(fanOut.subscriptions()).isZero();
    assertThat(fanOut.nextDeadlineMs()).isEqualTo(T0 + 3 * STATUS + 1);
  }

  @Test
  void anAgentWhoseNamesLaterMatchIsRoutedThen() {
    hello(1, "a", T0, "mem");
    fanOut.subscribe("s", windowed(Operation.OPERATION_SUM, "cpu"), T0);
    assertThat(added("a")).isEmpty();
    fanOut.status(1, "a", AgentStatus.newBuilder().addSeriesNames("cpu").build(), T0 + 1500);
    assertThat(added("a")).containsExactly("s");
    assertThat(toAgents.get("a").get(0).getAdd().getFirstWindowEndMs()).isEqualTo(T0 + 1000);
  }

  @Test
  void rawStartsWithEveryAgentsNewestSamplesInOneMessage() {
    hello(1, "a", T0, "cpu");
    hello(2, "b", T0, "cpu");
    fanOut.subscribe("r", SubscribeRequest.newBuilder().setSelector("cpu").setOperation(Operation.OPERATION_RAW)
        .build(), T0);
    Sample s1 = Sample.newBuilder().setName("cpu").setTimestampMs(T0).setValue(1).build();
    assertThat(fanOut.report(1, "a", PartialReport.newBuilder().setSubscriptionId("r").setSequence(1).addSamples(s1)
        .build(), T0)).as("the first message waits for a deadline").isTrue();
    assertThat(fanOut.drain("r")).isNull();
    fanOut.report(2, "b", PartialReport.newBuilder().setSubscriptionId("r").setSequence(1).addSamples(s1).build(), T0);
    SubscriptionUpdate first = fanOut.drain("r");
    assertThat(first.getSequence()).isEqualTo(1);
    assertThat(first.getSamplesCount()).as("the same series on two agents is two series").isEqualTo(2);

    Sample s2 = s1.toBuilder().setTimestampMs(T0 + 1).setValue(2).build();
    Sample s3 = s1.toBuilder().setTimestampMs(T0 + 2).setValue(3).build();
    fanOut.report(1, "a", PartialReport.newBuilder().setSubscriptionId("r").setSequence(2).addSamples(s2).build(), T0);
    assertThat(fanOut.report(1, "a", PartialReport.newBuilder().setSubscriptionId("r").setSequence(3).addSamples(s3)
        .build(), T0)).as("past the first message, a RAW report moves no deadline").isFalse();
    SubscriptionUpdate next = fanOut.drain("r");
    assertThat(next.getSequence()).isEqualTo(3);
    assertThat(next.getSamplesList()).singleElement().satisfies(u -> {
      assertThat(u.getSample().getValue()).isEqualTo(3);
      assertThat(u.getCoalesced()).isEqualTo(1);
    });
  }

  private static SubscribeRequest events(String selector, long sinceMs) {
    return SubscribeRequest.newBuilder().setSelector(selector).setKind(Kind.KIND_EVENTS)
        .setOperation(Operation.OPERATION_RAW).setEventsSinceMs(sinceMs).build();
  }

  private static Event event(String name, long stampMs) {
    return Event.newBuilder().setName(name).setSeverity(Severity.SEVERITY_ERROR).setTimestampMs(stampMs).build();
  }

  private void reportEvents(long session, String node, String subscription, long now, Event... events) {
    fanOut.report(session, node, PartialReport.newBuilder().setSubscriptionId(subscription).addAllEvents(
        List.of(events)).build(), now);
  }

  @Test
  void eventsStartWithWhatEveryAgentHoldsMergedOldestFirstAndAreNeverFolded() {
    hello(1, "a", T0, "cpu");
    hello(2, "b", T0);
    fanOut.subscribe("e", events("job.*", 0), T0);
    assertThat(added("a")).as("events are routed to every agent").containsExactly("e");
    assertThat(added("b")).containsExactly("e");
    reportEvents(1, "a", "e", T0, event("job.a1", T0 - 30), event("job.a2", T0 - 10));
    assertThat(fanOut.drain("e")).as("b has not sent what it holds").isNull();
    reportEvents(2, "b", "e", T0, event("job.b1", T0 - 20), event("job.b2", T0 - 5));
    SubscriptionUpdate first = fanOut.drain("e");
    assertThat(first.getSequence()).isEqualTo(1);
    assertThat(first.getEventsList()).extracting(Event::getName)
        .containsExactly("job.a1", "job.b1", "job.a2", "job.b2");

    Event e1 = event("job.failed", T0);
    Event e2 = event("job.failed", T0 + 1);
    reportEvents(1, "a", "e", T0, e1, e2);
    reportEvents(1, "a", "e", T0, e1); // an identical event from the same agent is the same occurrence
    SubscriptionUpdate u = fanOut.drain("e");
    assertThat(u.getEventsList()).containsExactly(e1, e2);
    assertThat(u.getCoalescedUpdates()).isEqualTo(1);
  }

  @Test
  void theFirstEventsMessageWaitsForAnAgentNoLongerThanTheGraceAndCountsWhatWasLeftOut() {
    hello(1, "a", T0);
    hello(2, "b", T0);
    fanOut.subscribe("e", events("*", 0), T0);
    fanOut.report(1, "a", PartialReport.newBuilder().setSubscriptionId("e").addEvents(event("x", T0 - 1))
        .setEventsOmitted(7).build(), T0 + 1);
    assertThat(fanOut.nextDeadlineMs()).isEqualTo(T0 + GRACE);
    fanOut.tick(T0 + GRACE);
    SubscriptionUpdate first = fanOut.drain("e");
    assertThat(first.getEventsList()).extracting(Event::getName).containsExactly("x");
    assertThat(first.getDropped()).as("older events agent a left out of its first report").isEqualTo(7);
  }

  @Test
  void anAgentThatRegistersAgainIsAskedOnlyForEventsNewerThanThoseItSent() {
    hello(1, "a", T0);
    long since = T0 - 60_000;
    fanOut.subscribe("e", events("*", since), T0);
    assertThat(toAgents.get("a").get(0).getAdd().getRequest().getEventsSinceMs()).as("the subscriber's own")
        .isEqualTo(since);
    reportEvents(1, "a", "e", T0, event("old", T0 - 10), event("newest", T0 + 5), event("late", T0 + 2));
    assertThat(fanOut.drain("e").getEventsList()).extracting(Event::getName).containsExactly("old", "late", "newest");

    fanOut.sessionEnded(1, "a", T0 + 100);
    hello(3, "a", T0 + 200); // registered again: pushed again, from the newest stamp it sent
    assertThat(toAgents.get("a").get(1).getAdd().getRequest().getEventsSinceMs()).isEqualTo(T0 + 5);
    reportEvents(3, "a", "e", T0 + 210, event("missed", T0 + 150));
    assertThat(fanOut.drain("e").getEventsList()).extracting(Event::getName).as("no second first message")
        .containsExactly("missed");

    hello(2, "b", T0 + 300); // never sent anything: what the subscriber asked for
    assertThat(toAgents.get("b").get(0).getAdd().getRequest().getEventsSinceMs()).isEqualTo(since);
  }

  @Test
  void badRequestsNameTheirFieldAndTheLimitHolds() {
    hello(1, "a", T0, "cpu");
    assertThatThrownBy(() -> fanOut.subscribe("x", windowed(Operation.OPERATION_SUM, "cpu{"), T0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("selector");
    assertThatThrownBy(() -> fanOut.subscribe("x", windowed(Operation.OPERATION_SUM, "cpu").toBuilder()
        .setWindowMs(600_000).setStepMs(1000).build(), T0))
        .hasMessage("window_ms 600000 exceeds the retention of agent a (120000 ms)");
    for (int i = 0; i < 3; i++) {
      fanOut.subscribe("s" + i, windowed(Operation.OPERATION_SUM, "cpu"), T0);
    }
    assertThatThrownBy(() -> fanOut.subscribe("s3", windowed(Operation.OPERATION_SUM, "cpu"), T0))
        .isInstanceOf(FanOut.TooManySubscriptions.class);
    assertThat(fanOut.subscriptions()).isEqualTo(3);
  }

  @Test
  void anAgentRefusingASubscriptionEndsItWithTheReason() {
    hello(1, "a", T0, "cpu");
    fanOut.subscribe("s", windowed(Operation.OPERATION_SUM, "cpu"), T0);
    fanOut.refused(1, "a", "s", "no room", T0);
    assertThat(ended).containsExactly("s REFUSED_BY_AGENT: agent a refused the subscription: no room");
    assertThat(fanOut.subscriptions()).isZero();
  }
}
