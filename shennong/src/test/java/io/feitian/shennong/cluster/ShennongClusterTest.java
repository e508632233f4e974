package io.feitian.shennong.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.GroupResult;
import io.feitian.proto.shennong.v1.Kind;
import io.feitian.proto.shennong.v1.Operation;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.SampleUpdate;
import io.feitian.proto.shennong.v1.Severity;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.feitian.proto.shennong.v1.SubscriptionUpdate;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.proto.shennong.v1.WriteResponse;
import io.feitian.shennong.agent.ShennongAgent;
import io.feitian.shennong.master.ShennongMaster;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shennong end to end: real agents and masters on loopback, a real ZooKeeper, subscribers on gRPC. */
class ShennongClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @TempDir
  Path dir;
  private ShennongFixture cluster;
  private final List<Subscriber> subscribers = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    cluster = new ShennongFixture(dir);
    cluster.startMaster();
    cluster.leader();
  }

  @AfterEach
  void stop() throws Exception {
    subscribers.forEach(Subscriber::close);
    cluster.close();
  }

  private Subscriber subscribe(SubscribeRequest request) {
    Subscriber s = new Subscriber(cluster.channelTo(cluster.leader().address()), request, false);
    subscribers.add(s);
    return s;
  }

  private static SubscribeRequest windowed(Operation op, String selector, long window, long step, String... groupBy) {
    return SubscribeRequest.newBuilder().setSelector(selector).setOperation(op).setWindowMs(window).setStepMs(step)
        .addAllGroupBy(List.of(groupBy)).build();
  }

  private static Sample sample(String name, Map<String, String> labels, long ts, double value) {
    return Sample.newBuilder().setName(name).putAllLabels(labels).setTimestampMs(ts).setValue(value).build();
  }

  private WriteResponse write(ShennongAgent agent, List<Sample> samples) {
    return cluster.agentStub(agent).write(WriteRequest.newBuilder().setSource("test").addAllSamples(samples).build());
  }

  private static double value(SubscriptionUpdate u) {
    assertThat(u.getGroupsCount()).as("one group in %s", u).isEqualTo(1);
    return u.getGroups(0).getValue();
  }

  @Test
  void valuesWrittenThroughThreeAgentsReachASubscriberWithEachOperationAppliedExactly() throws Exception {
    List<ShennongAgent> agents = List.of(cluster.startAgent("n1"), cluster.startAgent("n2"), cluster.startAgent("n3"));
    cluster.awaitAgentsUp("n1", "n2", "n3");
    long window = 2000;
    long step = 1000;
    long end = (System.currentTimeMillis() / step) * step + 3 * step; // a window that ends a few seconds ahead
    long start = end - window;
    Subscriber sum = subscribe(windowed(Operation.OPERATION_SUM, "req.latency", window, step, "node"));
    Subscriber avg = subscribe(windowed(Operation.OPERATION_AVG, "req.latency", window, step));
    Subscriber count = subscribe(windowed(Operation.OPERATION_COUNT, "req.latency", window, step));
    Subscriber max = subscribe(windowed(Operation.OPERATION_MAX, "req.*", window, step));
    Subscriber quantiles = subscribe(windowed(Operation.OPERATION_QUANTILE, "req.latency", window, step).toBuilder()
        .addQuantiles(0.5).addQuantiles(0.99).build());
    // The agents need the series before the master routes to them; the subscriptions above were
    // sent to no agent yet, and reach them with their next status.
    long seed = System.nanoTime();
    System.out.println("ShennongClusterTest seed " + seed);
    Random random = new Random(seed);
    Map<String, Double> sumByNode = new HashMap<>();
    List<Double> all = new ArrayList<>();
    for (ShennongAgent a : agents) {
      List<Sample> samples = new ArrayList<>();
      for (int j = 0; j < 300; j++) {
        double v = random.nextInt(1000);
        // four series per agent (75 samples each: an agent keeps 128 per series), stamped inside (start, end]
        samples.add(sample("req.latency", Map.of("node", a.nodeId(), "path", "/p" + (j % 4)), start + 100 + j, v));
        sumByNode.merge(a.nodeId(), v, Double::sum);
        all.add(v);
      }
      assertThat(write(a, samples).getAcceptedSamples()).isEqualTo(300);
    }
    assertThat(System.currentTimeMillis()).as("the writes were done before the window ended").isLessThan(end);

    SubscriptionUpdate s = sum.await(u -> u.getWindowStartMs() == start, WAIT);
    assertThat(s.getGap()).isEqualTo(io.feitian.proto.shennong.v1.Gap.getDefaultInstance());
    Map<String, Double> got = new HashMap<>();
    for (GroupResult g : s.getGroupsList()) {
      got.put(g.getGroup(0).getValue(), g.getValue());
      assertThat(g.getSeries()).isEqualTo(4);
    }
    assertThat(got).isEqualTo(sumByNode);
    double total = all.stream().mapToDouble(Double::doubleValue).sum();
    assertThat(value(avg.await(u -> u.getWindowStartMs() == start, WAIT))).isEqualTo(total / all.size());
    assertThat(value(count.await(u -> u.getWindowStartMs() == start, WAIT))).isEqualTo(all.size());
    assertThat(value(max.await(u -> u.getWindowStartMs() == start, WAIT)))
        .isEqualTo(all.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
    GroupResult q = quantiles.await(u -> u.getWindowStartMs() == start, WAIT).getGroups(0);
    double[] sorted = all.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    for (int i = 0; i < 2; i++) {
      double wantedRank = List.of(0.5, 0.99).get(i);
      double estimate = q.getQuantiles(i);
      // The estimate's rank among the samples, within the sketch's stated error (docs/SHENNONG.md).
      double rank = Arrays.stream(sorted).filter(v -> v < estimate).count() / (double) sorted.length;
      double rankAtOrBelow = Arrays.stream(sorted).filter(v -> v <= estimate).count() / (double) sorted.length;
      double tolerance = 0.025 + 3.0 / sorted.length;
      assertThat(wantedRank).as("q%s estimate %s", wantedRank, estimate)
          .isBetween(rank - tolerance, rankAtOrBelow + tolerance);
    }
  }

  @Test
  void rawSamplesAndEventsReachTheirSubscribersAsTheyAreWritten() throws Exception {
    ShennongAgent a = cluster.startAgent("n1");
    long now = System.currentTimeMillis();
    write(a, List.of(sample("queue.depth", Map.of("q", "in"), now, 5)));
    cluster.awaitAgentsUp("n1");
    Subscriber raw = subscribe(SubscribeRequest.newBuilder().setSelector("queue.depth{q=\"in\"}")
        .setOperation(Operation.OPERATION_RAW).build());
    Subscriber events = subscribe(SubscribeRequest.newBuilder().setSelector("job.*{severity>=\"warning\"}")
        .setKind(Kind.KIND_EVENTS).setOperation(Operation.OPERATION_RAW).build());
    // Once routed (the agent's status names queue.depth), the first message is the newest sample.
    SubscriptionUpdate first = raw.await(u -> true, WAIT);
    assertThat(first.getSequence()).isEqualTo(1);
    assertThat(first.getSamplesList()).extracting(u -> u.getSample().getValue()).containsExactly(5.0);
    assertThat(events.await(u -> true, WAIT).getEventsCount()).as("no event was written yet").isZero();

    write(a, List.of(sample("queue.depth", Map.of("q", "in"), now + 1, 7), sample("queue.depth", Map.of("q", "out"),
        now + 1, 1)));
    SubscriptionUpdate next = raw.await(u -> u.getSamplesCount() > 0, WAIT);
    assertThat(next.getSamplesList()).extracting(SampleUpdate::getSample).extracting(Sample::getValue)
        .containsExactly(7.0);

    Event failed = Event.newBuilder().setName("job.failed").setSeverity(Severity.SEVERITY_ERROR)
        .putLabels("job", "wc").setTimestampMs(now).setMessage("3 attempts failed").build();
    Event info = failed.toBuilder().setName("job.started").setSeverity(Severity.SEVERITY_INFO).build();
    cluster.agentStub(a).write(WriteRequest.newBuilder().setSource("test").addEvents(failed).addEvents(info).build());
    assertThat(events.await(u -> u.getEventsCount() > 0, WAIT).getEventsList()).containsExactly(failed);
  }

  private static SubscribeRequest events(String selector) {
    return SubscribeRequest.newBuilder().setSelector(selector).setKind(Kind.KIND_EVENTS)
        .setOperation(Operation.OPERATION_RAW).build();
  }

  /** Writes one event, named by its agent and a number in its message, and remembers it if accepted. */
  private void writeEvent(ShennongAgent agent, long stampMs, Map<String, Event> accepted) {
    Event e = Event.newBuilder().setName("app.step").setSeverity(Severity.SEVERITY_INFO)
        .putLabels("node", agent.nodeId()).setTimestampMs(stampMs).setMessage(agent.nodeId() + "#" + stampMs).build();
    WriteResponse r = cluster.agentStub(agent).write(WriteRequest.newBuilder().setSource("test").addEvents(e).build());
    assertThat(r.getAcceptedEvents()).isEqualTo(1);
    accepted.put(e.getMessage(), e);
  }

  /** Takes the subscriber's updates' events into {@code received} until every accepted one is there. */
  private static void receiveAll(Subscriber s, List<Event> received, Map<String, Event> accepted) {
    await().atMost(WAIT).until(() -> {
      for (SubscriptionUpdate u; (u = s.updates.poll()) != null; ) {
        assertThat(u.getDropped()).isZero();
        received.addAll(u.getEventsList());
      }
      return received.stream().map(Event::getMessage).collect(java.util.stream.Collectors.toSet())
          .containsAll(accepted.keySet());
    });
  }

  @Test
  void eventsWrittenBeforeASubscriberArrivesAreListedAndAnAgentRestartNeitherLosesNorRepeatsOne() throws Exception {
    ShennongAgent a = cluster.startAgent("n1");
    ShennongAgent b = cluster.startAgent("n2");
    Map<String, Event> accepted = new java.util.LinkedHashMap<>();
    long base = System.currentTimeMillis();
    for (int i : new int[] {1, 3, 5}) {
      writeEvent(a, base + i, accepted);
    }
    for (int i : new int[] {2, 4}) {
      writeEvent(b, base + i, accepted);
    }
    cluster.awaitAgentsUp("n1", "n2");
    Subscriber s = subscribe(events("app.*"));
    SubscriptionUpdate first = s.await(u -> true, WAIT);
    assertThat(first.getSequence()).isEqualTo(1);
    assertThat(first.getEventsList()).extracting(Event::getTimestampMs).as("both agents' events, oldest first")
        .containsExactly(base + 1, base + 2, base + 3, base + 4, base + 5);
    List<Event> received = new ArrayList<>(first.getEventsList());

    long stamp = base + 5;
    for (int i = 0; i < 5; i++) {
      writeEvent(a, ++stamp, accepted);
      writeEvent(b, ++stamp, accepted);
    }
    receiveAll(s, received, accepted); // nothing in flight from n2 when it stops
    cluster.stop(b);
    writeEvent(a, ++stamp, accepted);
    ShennongAgent b2 = cluster.startAgent("n2");
    // Written before the master pushed the subscription to the new agent (most, at least): held,
    // and sent in its first report; the rest as they come.
    for (int i = 0; i < 5; i++) {
      writeEvent(b2, ++stamp, accepted);
      writeEvent(a, ++stamp, accepted);
    }
    cluster.awaitAgentsUp("n1", "n2");
    writeEvent(b2, ++stamp, accepted);
    receiveAll(s, received, accepted);

    List<String> messages = received.stream().map(Event::getMessage).toList();
    assertThat(messages).as("each event once").doesNotHaveDuplicates();
    assertThat(messages).containsExactlyInAnyOrderElementsOf(accepted.keySet());
    for (String node : List.of("n1", "n2")) {
      assertThat(received.stream().filter(e -> e.getLabelsMap().get("node").equals(node))
          .map(Event::getTimestampMs).toList()).as("%s's events in the order they happened", node).isSorted();
    }
  }

  private static String scrape(int port) throws Exception {
    java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    return r.body();
  }

  @Test
  void agentsAndMastersServeWhatTheyHoldToPrometheus() throws Exception {
    ShennongAgent a = cluster.startAgent("n1");
    write(a, List.of(sample("queue.depth", Map.of("q", "in"), System.currentTimeMillis(), 5)));
    cluster.awaitAgentsUp("n1");
    String agent = scrape(a.metricsPort().orElseThrow());
    assertThat(agent).contains("queue_depth{q=\"in\"} 5.0").contains("shennong_agent_series{node=\"n1\"} 1.0")
        .contains("shennong_agent_master_connected{node=\"n1\"} 1.0");
    ShennongMaster leader = cluster.leader();
    String master = scrape(leader.metricsPort().orElseThrow());
    assertThat(master).contains("shennong_master_leader{master=\"" + leader.address() + "\"} 1.0")
        .contains("shennong_master_agents_up{master=\"" + leader.address() + "\"} 1.0");
  }

  @Test
  void aSubscriberThatLeavesFreesWhatWasHeldForItOnTheMasterAndEveryAgent() throws Exception {
    ShennongAgent a = cluster.startAgent("n1");
    ShennongAgent b = cluster.startAgent("n2");
    long now = System.currentTimeMillis();
    write(a, List.of(sample("cpu", Map.of(), now, 1)));
    write(b, List.of(sample("cpu", Map.of(), now, 1)));
    cluster.awaitAgentsUp("n1", "n2");
    Subscriber s = subscribe(windowed(Operation.OPERATION_SUM, "cpu", 1000, 1000));
    await().atMost(WAIT).until(() -> a.subscriptions() == 1 && b.subscriptions() == 1);
    s.await(u -> true, WAIT);
    s.close();
    await().atMost(WAIT).until(() -> a.subscriptions() == 0 && b.subscriptions() == 0);
    await().atMost(WAIT).until(() -> cluster.masterStub().listAgents(
        io.feitian.proto.shennong.v1.ListAgentsRequest.getDefaultInstance()).getAgentsList().stream()
        .allMatch(i -> i.getSubscriptions() == 0));
  }

  @Test
  void aRestartedAgentShowsAsAGapNeverAsAWrongNumber() throws Exception {
    ShennongAgent a = cluster.startAgent("n1");
    ShennongAgent b = cluster.startAgent("n2");
    SteadyWriter writer = new SteadyWriter(cluster, "load");
    writer.writeTo(a);
    writer.writeTo(b);
    writer.start();
    try {
      cluster.awaitAgentsUp("n1", "n2");
      Subscriber count = subscribe(windowed(Operation.OPERATION_COUNT, "load", 1000, 1000));
      count.await(u -> u.getGap().getMissingAgentsCount() == 0 && u.getGap().getIncompleteSeries() == 0
          && u.getGroupsCount() == 1, WAIT);
      writer.stopWritingTo(b);
      cluster.stop(b);
      long stoppedAt = System.currentTimeMillis();
      count.await(u -> u.getGap().getMissingAgentsList().contains("n2"), WAIT);
      // The samples n2 took before it stopped are stamped up to AHEAD_MS ahead; windows from the
      // restart on must not hold any (they died with n2), so the restart comes after them.
      await().atMost(WAIT).until(() -> System.currentTimeMillis() > stoppedAt + SteadyWriter.AHEAD_MS);
      ShennongAgent b2 = cluster.startAgent("n2");
      writer.writeTo(b2);
      count.await(u -> u.getGap().getIncompleteSeries() > 0 && u.getGap().getMissingAgentsCount() == 0, WAIT);
      // Then whole windows again; every window shown whole had exactly the samples written in it.
      List<SubscriptionUpdate> whole = new ArrayList<>();
      while (whole.size() < 3) {
        SubscriptionUpdate u = count.await(x -> true, WAIT);
        if (u.getGap().getMissingAgentsCount() == 0 && u.getGap().getIncompleteSeries() == 0) {
          whole.add(u);
        }
      }
      writer.stop();
      for (SubscriptionUpdate u : whole) {
        long expected = writer.samplesIn(u.getWindowStartMs(), u.getWindowStartMs() + 1000);
        assertThat(u.getGroupsCount() == 0 ? 0 : (long) value(u)).as("window from %d", u.getWindowStartMs())
            .isEqualTo(expected);
      }
    } finally {
      writer.stop();
    }
  }

  @Test
  void aSlowSubscriberGetsTheNewestValuesFoldedAndDoesNotHoldBackAnother() throws Exception {
    ShennongAgent a = cluster.startAgent("n1");
    long now = System.currentTimeMillis();
    List<Sample> wide = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      wide.add(sample("wide", Map.of("k", "key-number-" + i), now, i));
    }
    write(a, wide);
    cluster.awaitAgentsUp("n1");
    // Each update carries 3000 groups (about 100 KB): a subscriber that reads nothing fills its
    // flow-control window after a few.
    SubscribeRequest request = windowed(Operation.OPERATION_COUNT, "wide", 1000, 100, "k");
    io.grpc.ManagedChannel narrow = NettyChannelBuilder.forTarget(cluster.leader().address()).usePlaintext()
        .flowControlWindow(65_536).build();
    try {
      Subscriber slow = new Subscriber(narrow, request, true);
      subscribers.add(slow);
      Subscriber fast = subscribe(request);
      long firstFast = fast.await(u -> true, WAIT).getSequence();
      SubscriptionUpdate fastLater = fast.await(u -> u.getSequence() >= firstFast + 30, WAIT);
      assertThat(fastLater.getCoalescedUpdates()).as("the fast subscriber kept up").isLessThan(5);
      SubscriptionUpdate slowFirst = slow.await(u -> true, WAIT);
      assertThat(slow.updates).isEmpty();
      slow.request(1000);
      // What waited for the slow subscriber was folded: fewer messages than windows, each saying
      // how many it stands for, so that no window is unaccounted for.
      List<SubscriptionUpdate> after = new ArrayList<>();
      while (after.isEmpty() || after.get(after.size() - 1).getSequence() < fastLater.getSequence()) {
        SubscriptionUpdate u = slow.updates.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(u).as("an update for the slow subscriber").isNotNull();
        after.add(u);
      }
      long folded = after.stream().mapToLong(SubscriptionUpdate::getCoalescedUpdates).sum();
      assertThat(folded).as("updates folded for the slow subscriber").isGreaterThan(0);
      long last = after.get(after.size() - 1).getSequence();
      assertThat(after.size() + folded).as("every window counted once").isEqualTo(last - slowFirst.getSequence());
      long previous = slowFirst.getSequence();
      for (SubscriptionUpdate u : after) {
        assertThat(u.getSequence() - u.getCoalescedUpdates() - 1).isEqualTo(previous);
        previous = u.getSequence();
      }
    } finally {
      narrow.shutdownNow();
      narrow.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void badRequestsAreRefusedNamingTheFieldAndAStandbyNamesTheLeader() throws Exception {
    ShennongMaster standby = cluster.startMaster();
    ShennongMaster leader = cluster.leader();
    Subscriber bad = subscribe(windowed(Operation.OPERATION_SUM, "cpu{node=", 1000, 1000));
    Status s = bad.ended.get(20, TimeUnit.SECONDS);
    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription()).startsWith("selector");
    Subscriber step = subscribe(windowed(Operation.OPERATION_SUM, "cpu", 1000, 10));
    assertThat(step.ended.get(20, TimeUnit.SECONDS).getDescription()).contains("step_ms");

    assertThatThrownBy(() -> io.feitian.proto.shennong.v1.MasterServiceGrpc.newBlockingStub(
        cluster.channelTo(standby.address())).listAgents(
        io.feitian.proto.shennong.v1.ListAgentsRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getStatus().getDescription()).contains("leader=" + leader.address());
        });
  }

  @Test
  void whenTheLeaderGoesTheStandbyLeadsAndAgentsRegisterWithIt() throws Exception {
    ShennongMaster first = cluster.leader();
    ShennongMaster standby = cluster.startMaster();
    ShennongAgent a = cluster.startAgent("n1");
    write(a, List.of(sample("cpu", Map.of(), System.currentTimeMillis(), 1)));
    cluster.awaitAgentsUp("n1");
    Subscriber before = subscribe(windowed(Operation.OPERATION_SUM, "cpu", 1000, 1000));
    before.await(u -> true, WAIT);
    long epoch = first.epoch();
    cluster.stop(first);
    assertThat(before.ended.get(20, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(cluster.leader()).isSameAs(standby);
    assertThat(standby.epoch()).isGreaterThan(epoch);
    cluster.awaitAgentsUp("n1");
    long now = System.currentTimeMillis();
    write(a, List.of(sample("cpu", Map.of(), now, 2)));
    Subscriber after = subscribe(windowed(Operation.OPERATION_MAX, "cpu", 5000, 1000));
    // The first window that ends after the write holds it (the first message's window may end before).
    assertThat(value(after.await(u -> u.getGroupsCount() == 1 && u.getWindowStartMs() + 5000 >= now, WAIT)))
        .isEqualTo(2);
    await().atMost(WAIT).until(() -> a.master().equals(java.util.Optional.of(standby.address())));
  }
}
