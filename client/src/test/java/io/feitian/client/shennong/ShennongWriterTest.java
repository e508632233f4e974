package io.feitian.client.shennong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.Severity;
import io.feitian.shennong.series.StoreLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The writer against a real gRPC server running the agent's write path. */
class ShennongWriterTest extends AgentTest {
  private ShennongWriter.Options options() {
    return ShennongWriter.Options.defaults("orders").withAgent(agent.address()).withLabel("node", "n1")
        .withFlushInterval(Duration.ofMillis(50));
  }

  @Test
  void countersIncrementedFromManyThreadsArriveWithTheirExactTotals() throws Exception {
    int threads = 8;
    int perThread = 20_000;
    Set<Counter> instances = ConcurrentHashMap.newKeySet();
    try (ShennongWriter w = new ShennongWriter(options())) {
      List<Thread> workers = new ArrayList<>();
      CountDownLatch go = new CountDownLatch(1);
      for (int t = 0; t < threads; t++) {
        Thread worker = new Thread(() -> {
          awaitQuietly(go);
          for (int i = 0; i < perThread; i++) {
            Counter c = w.counter("orders.placed", "region", "eu");
            instances.add(c);
            c.increment();
            w.counter("orders.value", "region", "eu").increment(2.5);
          }
        });
        worker.start();
        workers.add(worker);
      }
      go.countDown();
      for (Thread worker : workers) {
        worker.join();
      }
      assertThat(instances).as("one name and labels, one counter").hasSize(1);
      await().atMost(WAIT).until(() -> Double.valueOf(threads * perThread)
          .equals(agent.newest("orders.placed", "node", "n1", "region", "eu")));
      assertThat(agent.newest("orders.value", "node", "n1", "region", "eu")).isEqualTo(threads * perThread * 2.5);
    }
    assertThat(agent.refusedSamples()).isEmpty();
  }

  @Test
  void gaugesArriveWithTheirNewestValueAndSupplierGaugesAreReadAtFlush() {
    AtomicLong queue = new AtomicLong(7);
    try (ShennongWriter w = new ShennongWriter(options())) {
      Gauge g = w.gauge("orders.open");
      w.gauge("orders.queue", queue::get, "queue", "in");
      g.set(1);
      g.set(42.5);
      await().atMost(WAIT).until(() -> Double.valueOf(42.5).equals(agent.newest("orders.open", "node", "n1")));
      await().atMost(WAIT).until(() -> Double.valueOf(7).equals(agent.newest("orders.queue", "node", "n1", "queue",
          "in")));
      queue.set(9);
      g.set(-3);
      await().atMost(WAIT).until(() -> Double.valueOf(9).equals(agent.newest("orders.queue", "node", "n1", "queue",
          "in")) && Double.valueOf(-3).equals(agent.newest("orders.open", "node", "n1")));
      assertThat(w.gauge("orders.unset").value()).isNaN();
    }
    assertThat(agent.newest("orders.unset", "node", "n1")).as("nothing before the first set").isNull();
    assertThat(agent.refusedSamples()).isEmpty();
  }

  @Test
  void aTimerPublishesItsCountAndSumCumulativelyAndItsMaxPerInterval() {
    try (ShennongWriter w = new ShennongWriter(options().withFlushInterval(Duration.ofHours(1)))) {
      Timer t = w.timer("orders.latency", "step", "pay");
      t.record(Duration.ofMillis(1500));
      t.record(250_000_000L);
      t.record(Duration.ofMillis(2250));
      t.time(() -> { });
      assertThat(w.timer("orders.latency", "step", "pay")).isSameAs(t);
      assertThat(t.count()).isEqualTo(4);
    }
    // An hour's interval: the only flush is the one at close.
    assertThat(agent.newest("orders.latency.count", "node", "n1", "step", "pay")).isEqualTo(4.0);
    assertThat(agent.newest("orders.latency.sum.seconds", "node", "n1", "step", "pay")).isBetween(4.0, 5.0);
    assertThat(agent.newest("orders.latency.max.seconds", "node", "n1", "step", "pay")).isEqualTo(2.25);
  }

  @Test
  void aTimersMaxCoversOnlyItsIntervalWhileCountAndSumAddUp() {
    try (ShennongWriter w = new ShennongWriter(options())) {
      Timer t = w.timer("orders.latency");
      t.record(Duration.ofSeconds(3));
      await().atMost(WAIT).until(() -> agent.values("orders.latency.max.seconds", "node", "n1").contains(3.0));
      t.record(Duration.ofSeconds(1));
      await().atMost(WAIT).until(() -> Double.valueOf(2).equals(agent.newest("orders.latency.count", "node", "n1")));
      assertThat(agent.newest("orders.latency.sum.seconds", "node", "n1")).isEqualTo(4.0);
      await().atMost(WAIT).until(() -> Double.valueOf(0).equals(agent.newest("orders.latency.max.seconds", "node",
          "n1")));
    }
  }

  @Test
  void eventsArriveAndDropsOfAFullBufferAreCountedExactly() {
    ShennongWriter w = new ShennongWriter(options().withEventCapacity(3).withFlushInterval(Duration.ofHours(1)));
    List<Boolean> queued = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      queued.add(w.event("order.stuck", Severity.SEVERITY_WARNING, "order " + i + " waits", "order", "o" + i));
    }
    assertThat(queued).containsExactly(true, true, true, false, false, false, false, false, false, false);
    assertThat(w.droppedEvents()).isEqualTo(7);
    w.close(); // the only flush: an hour's interval
    assertThat(agent.events()).extracting(Event::getMessage)
        .as("the oldest are kept: the newest are dropped").containsExactly("order 0 waits", "order 1 waits",
            "order 2 waits");
    Event first = agent.events().get(0);
    assertThat(first.getLabelsMap()).isEqualTo(Map.of("node", "n1", "order", "o0"));
    assertThat(first.getSeverity()).isEqualTo(Severity.SEVERITY_WARNING);
    assertThat(agent.newest(ShennongWriter.DROPPED_EVENTS, "node", "n1")).isEqualTo(7.0);
  }

  @Test
  void timestampsKeepIncreasingWhenTheWallClockStepsBack() {
    AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    try (ShennongWriter w = new ShennongWriter(options(), clock::get)) {
      Counter c = w.counter("orders.placed");
      c.increment();
      await().atMost(WAIT).until(() -> Double.valueOf(1).equals(agent.newest("orders.placed", "node", "n1")));
      clock.addAndGet(-60_000);
      c.increment();
      await().atMost(WAIT).until(() -> Double.valueOf(2).equals(agent.newest("orders.placed", "node", "n1")));
    }
    List<Long> ts = agent.timestamps("orders.placed", "node", "n1");
    assertThat(ts).isSorted().doesNotHaveDuplicates();
    assertThat(agent.refusedSamples()).as("no sample refused as out of order").isEmpty();
  }

  @Test
  void aFlushLargerThanOneRequestIsSplitAndArrivesWhole() {
    agent.close();
    agent = FakeAgent.start(new StoreLimits(120_000, 128, 100_000, 1_000_000));
    int series = 30_000;
    try (ShennongWriter w = new ShennongWriter(options().withFlushInterval(Duration.ofHours(1)))) {
      for (int i = 0; i < series; i++) {
        w.counter("orders.by.customer", "customer", "c" + i).increment(i);
      }
    }
    assertThat(agent.requests()).as("about 1.5 MiB, in requests of at most 1 MiB").isGreaterThan(1);
    assertThat(agent.seriesCount()).isEqualTo(series + 1); // and the dropped-events series
    assertThat(agent.newest("orders.by.customer", "node", "n1", "customer", "c29999")).isEqualTo(29_999.0);
  }

  @Test
  void theAgentsRefusalsAreCountedAndLoggedAtMostOnceAMinute() {
    try (LogCapture logs = new LogCapture(Flusher.class); ShennongWriter w = new ShennongWriter(options())) {
      w.counter("1starts.with.a.digit").increment();
      w.counter("orders.placed").increment();
      await().atMost(WAIT).until(() -> w.refusedSamples() >= 5);
      assertThat(agent.newest("orders.placed", "node", "n1")).as("the rest of the batch is kept").isEqualTo(1.0);
      assertThat(logs.messages(Level.WARN)).singleElement().asString()
          .contains("refused 1 samples and 0 events of source orders (REFUSAL_REASON_INVALID)")
          .contains("samples[").contains("name must match");
    }
  }

  @Test
  void aNameAndLabelsAreOneMeterOfOneKind() {
    try (ShennongWriter w = new ShennongWriter(options())) {
      assertThat(w.counter("a", "x", "1", "y", "2")).isSameAs(w.counter("a", "y", "2", "x", "1"));
      assertThat(w.counter("a", "x", "1")).isNotSameAs(w.counter("a", "x", "2"));
      assertThatThrownBy(() -> w.gauge("a", "x", "1")).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("a{x=1} is already a counter, not a gauge");
      assertThatThrownBy(() -> w.timer("t", "odd")).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("labels of t must be name-value pairs, got 1 strings");
      assertThatThrownBy(() -> w.counter("a").increment(-1)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("must be finite and not negative, got -1.0");
      assertThatThrownBy(() -> w.counter("")).hasMessage("a meter needs a name");
    }
  }

  @Test
  void aBadSourceOrAgentIsRefusedWithAClearMessage() {
    assertThatThrownBy(() -> ShennongWriter.Options.defaults("my app"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("source must match [A-Za-z0-9_.:-]{1,128}, got 'my app'");
    assertThatThrownBy(() -> ShennongWriter.Options.defaults("app").withAgent("localhost"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("agent must be host:port");
    assertThatThrownBy(() -> ShennongWriter.Options.defaults("app").withFlushInterval(Duration.ZERO))
        .hasMessage("flushInterval must be positive, got PT0S");
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
