package io.feitian.client.shennong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.Severity;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** The writer when its agent goes away, comes back, or hangs. */
class ShennongWriterOutageTest extends AgentTest {
  /** The wall clock, counting its reads: every flush reads it once, so the count shows flushes happening. */
  private static final class CountingClock implements LongSupplier {
    final AtomicLong reads = new AtomicLong();

    @Override
    public long getAsLong() {
      reads.incrementAndGet();
      return System.currentTimeMillis();
    }
  }

  @Test
  void anAgentBackAfterAnOutageGetsTheRightTotalsAndNothingOutOfOrder() {
    CountingClock clock = new CountingClock();
    ShennongWriter.Options options = ShennongWriter.Options.defaults("orders").withAgent(agent.address())
        .withFlushInterval(Duration.ofMillis(20)).withDeadline(Duration.ofSeconds(2));
    try (LogCapture logs = new LogCapture(Flusher.class); ShennongWriter w = new ShennongWriter(options, clock)) {
      Counter placed = w.counter("orders.placed");
      Gauge open = w.gauge("orders.open");
      Timer latency = w.timer("orders.latency");
      placed.increment(100);
      open.set(5);
      latency.record(Duration.ofSeconds(7));
      await().atMost(WAIT).until(() -> Double.valueOf(100).equals(agent.newest("orders.placed"))
          && agent.values("orders.latency.max.seconds").contains(7.0));

      agent.stop();
      await().atMost(WAIT).until(() -> logs.messages(Level.WARN).size() == 1);
      long failedFlushes = clock.reads.get();
      placed.increment(50);
      open.set(6);
      open.set(8);
      latency.record(Duration.ofSeconds(9));
      latency.record(Duration.ofSeconds(1));
      for (int i = 0; i < 5; i++) {
        w.event("order.stuck", Severity.SEVERITY_ERROR, "order " + i);
      }
      // Several retries fail while the agent is away, and none of them logs again.
      await().atMost(WAIT).until(() -> clock.reads.get() >= failedFlushes + 10);

      agent.restart();
      await().atMost(WAIT).until(() -> Double.valueOf(150).equals(agent.newest("orders.placed"))
          && agent.events().size() == 5);
      assertThat(agent.newest("orders.open")).isEqualTo(8.0);
      assertThat(agent.newest("orders.latency.count")).isEqualTo(3.0);
      assertThat(agent.newest("orders.latency.sum.seconds")).isEqualTo(17.0);
      assertThat(agent.values("orders.latency.max.seconds")).as("the outage's max is kept until delivered")
          .contains(9.0);
      assertThat(agent.events()).extracting(Event::getMessage)
          .containsExactly("order 0", "order 1", "order 2", "order 3", "order 4");
      assertThat(agent.refusedSamples()).as("no sample refused, none as out of order").isEmpty();
      assertThat(w.refusedSamples()).isZero();

      await().atMost(WAIT).until(() -> logs.messages(Level.INFO).size() == 1);
      assertThat(logs.messages(Level.WARN)).singleElement().asString()
          .startsWith("shennong agent " + agent.address() + " does not answer (UNAVAILABLE");
      assertThat(logs.messages(Level.INFO)).singleElement().asString()
          .contains("answers again").endsWith("dropped 0 events meanwhile");
    }
  }

  @Test
  void callersAreNeverBlockedWhileTheAgentHangs() throws Exception {
    CountDownLatch hang = agent.hangWrites();
    ShennongWriter.Options options = ShennongWriter.Options.defaults("orders").withAgent(agent.address())
        .withFlushInterval(Duration.ofMillis(20)).withDeadline(Duration.ofSeconds(60)).withEventCapacity(100);
    try (ShennongWriter w = new ShennongWriter(options)) {
      Counter placed = w.counter("orders.placed");
      assertThat(agent.entered().await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
          .as("the flush thread is stuck in a write").isTrue();

      CountDownLatch done = new CountDownLatch(1);
      Thread caller = new Thread(() -> {
        for (int i = 0; i < 10_000; i++) {
          placed.increment();
          w.gauge("orders.open").set(i);
          w.timer("orders.latency", "shard", "s" + i % 10).record(i);
          w.event("order.placed", Severity.SEVERITY_INFO, "order " + i);
        }
        done.countDown();
      });
      caller.start();
      assertThat(done.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("the caller finished").isTrue();
      assertThat(hang.getCount()).as("while the agent still hangs").isEqualTo(1);
      assertThat(w.droppedEvents()).isEqualTo(10_000 - 100);

      hang.countDown();
      await().atMost(WAIT).until(() -> Double.valueOf(10_000).equals(agent.newest("orders.placed"))
          && agent.events().size() == 100);
      assertThat(agent.newest("orders.open")).isEqualTo(9_999.0);
      assertThat(agent.newest(ShennongWriter.DROPPED_EVENTS)).isEqualTo(9_900.0);
    }
  }

  @Test
  void closeGivesUpOnAHungAgentAfterItsDeadline() throws Exception {
    CountDownLatch hang = agent.hangWrites();
    ShennongWriter w = new ShennongWriter(ShennongWriter.Options.defaults("orders").withAgent(agent.address())
        .withFlushInterval(Duration.ofHours(1)).withDeadline(Duration.ofMillis(300)));
    w.counter("orders.placed").increment();
    CountDownLatch closed = new CountDownLatch(1);
    Thread closer = new Thread(() -> {
      w.close();
      closed.countDown();
    });
    closer.start();
    assertThat(closed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("close returned").isTrue();
    assertThat(hang.getCount()).as("while the agent still hangs").isEqualTo(1);
  }
}
