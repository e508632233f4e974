package io.feitian.shennong.series;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.Severity;
import org.junit.jupiter.api.Test;

class EventLogTest {
  private static final long T0 = 1_700_000_000_000L;

  private static Event event(String name, long stampMs) {
    return Event.newBuilder().setName(name).setSeverity(Severity.SEVERITY_INFO).setTimestampMs(stampMs).build();
  }

  @Test
  void eventsAreListedOldestStampFirstWhateverOrderTheyArrivedIn() {
    EventLog log = new EventLog(600_000, 100);
    log.add(event("b", T0 + 2), T0 + 10);
    log.add(event("late", T0 - 500), T0 + 11); // a writer's late flush
    log.add(event("a", T0 + 1), T0 + 12);
    log.add(event("a2", T0 + 1), T0 + 13); // same stamp: arrival order
    assertThat(log.since(0, e -> true, Long.MAX_VALUE).events()).extracting(Event::getName)
        .containsExactly("late", "a", "a2", "b");
  }

  @Test
  void onlyMatchingEventsStampedAfterSinceAreListed() {
    EventLog log = new EventLog(600_000, 100);
    for (int i = 1; i <= 5; i++) {
      log.add(event(i % 2 == 0 ? "even" : "odd", T0 + i), T0 + i);
    }
    assertThat(log.since(T0 + 2, e -> e.getName().equals("odd"), Long.MAX_VALUE).events())
        .extracting(Event::getTimestampMs).containsExactly(T0 + 3, T0 + 5);
    assertThat(log.since(T0 + 5, e -> true, Long.MAX_VALUE).events()).as("nothing later than the newest").isEmpty();
  }

  @Test
  void anEventIsKeptForTheRetentionAfterItArrivedWhateverItsStamp() {
    EventLog log = new EventLog(1000, 100);
    log.add(event("old-stamp", T0 - 3_600_000), T0);
    log.add(event("next", T0 + 500), T0 + 500);
    log.evictExpired(T0 + 1000);
    assertThat(log.size()).as("exactly the retention: still held").isEqualTo(2);
    log.evictExpired(T0 + 1001);
    assertThat(log.since(0, e -> true, Long.MAX_VALUE).events()).extracting(Event::getName).containsExactly("next");
    log.add(event("later", T0 + 1600), T0 + 1600); // adding evicts what expired, too
    assertThat(log.size()).isEqualTo(1);
    assertThat(log.dropped()).as("expiry is not a drop").isZero();
  }

  @Test
  void aFullLogDropsTheOldestArrivalAndCountsIt() {
    EventLog log = new EventLog(600_000, 3);
    for (int i = 0; i < 5; i++) {
      log.add(event("e" + i, T0 + i), T0 + i);
    }
    assertThat(log.size()).isEqualTo(3);
    assertThat(log.dropped()).isEqualTo(2);
    assertThat(log.since(0, e -> true, Long.MAX_VALUE).events()).extracting(Event::getName)
        .containsExactly("e2", "e3", "e4");
  }

  @Test
  void whatDoesNotFitTheByteBudgetIsTheOldestAndIsCounted() {
    EventLog log = new EventLog(600_000, 100);
    for (int i = 0; i < 10; i++) {
      log.add(event("e" + i, T0 + i), T0 + i);
    }
    int size = event("e0", T0).getSerializedSize();
    EventLog.Selection s = log.since(0, e -> true, 3L * size + size / 2);
    assertThat(s.events()).extracting(Event::getName).containsExactly("e7", "e8", "e9");
    assertThat(s.omitted()).isEqualTo(7);
    assertThat(log.since(0, e -> true, 0)).isEqualTo(new EventLog.Selection(java.util.List.of(), 10));
  }

  @Test
  void limitsMustBePositive() {
    assertThatThrownBy(() -> new EventLog(0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new EventLog(1, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
