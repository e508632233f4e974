package io.feitian.client.shennong;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.proto.shennong.v1.WriteResponse;
import io.feitian.shennong.wire.Ingest;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The writer's pieces on their own: request splitting, the event buffer, the log limiter. */
class ShennongWriterPartsTest {
  @Test
  void theWriterKeepsTheAgentsLimits() {
    assertThat(Batches.MAX_SAMPLES).isEqualTo(Ingest.MAX_SAMPLES);
    assertThat(Batches.MAX_EVENTS).isEqualTo(Ingest.MAX_EVENTS);
    assertThat(ShennongWriter.SOURCE.pattern()).isEqualTo(Ingest.SOURCE.pattern());
  }

  @Test
  void requestsStayWithinTheCountsAndCarryEventsInOrder() {
    List<Sample> samples = IntStream.range(0, 7).mapToObj(i -> Sample.newBuilder().setName("s" + i).build()).toList();
    List<Event> events = IntStream.range(0, 5).mapToObj(i -> Event.newBuilder().setName("e" + i).build()).toList();
    List<Batches.Batch> batches = Batches.split("app", samples, events, 3, 2, Integer.MAX_VALUE);
    assertThat(batches).extracting(b -> b.request().getSamplesCount()).containsExactly(3, 3, 1, 0, 0);
    assertThat(batches).extracting(b -> b.request().getEventsCount()).containsExactly(0, 0, 2, 2, 1);
    assertThat(batches).extracting(Batches.Batch::events).containsExactly(0, 0, 2, 2, 1);
    assertThat(batches).allSatisfy(b -> assertThat(b.request().getSource()).isEqualTo("app"));
    assertThat(batches.stream().flatMap(b -> b.request().getEventsList().stream()).map(Event::getName))
        .containsExactly("e0", "e1", "e2", "e3", "e4");
  }

  @Test
  void requestsStayWithinTheBytesAndAnItemTooLargeGoesAlone() {
    List<Sample> samples = IntStream.range(0, 100)
        .mapToObj(i -> Sample.newBuilder().setName("series.number." + i).setValue(i).build()).toList();
    List<Batches.Batch> batches = Batches.split("app", samples, List.of(), 1000, 1000, 500);
    assertThat(batches).allSatisfy(b -> assertThat(b.request().getSerializedSize()).isLessThanOrEqualTo(500));
    assertThat(batches.stream().mapToInt(b -> b.request().getSamplesCount()).sum()).isEqualTo(100);
    Event huge = Event.newBuilder().setName("big").setMessage("x".repeat(1000)).build();
    assertThat(Batches.split("app", samples.subList(0, 1), List.of(huge), 1000, 1000, 500))
        .extracting(b -> b.request().getSamplesCount() + "/" + b.request().getEventsCount())
        .containsExactly("1/0", "0/1");
    assertThat(Batches.split("app", List.of(), List.of(), 1000, 1000, 500)).isEmpty();
  }

  @Test
  void aRequestRefusedWholeIsDroppedNotRetriedAndAnOutageKeepsTheEvents() {
    EventBuffer buffer = new EventBuffer(10);
    List<WriteRequest> sent = new ArrayList<>();
    AtomicReference<Status> failure = new AtomicReference<>(Status.INVALID_ARGUMENT.withDescription("bad"));
    Flusher flusher = new Flusher("agent:1", "app", new Registry(Map.of()), buffer, (request, deadline) -> {
      sent.add(request);
      if (failure.get() != null) {
        throw failure.get().asRuntimeException();
      }
      return WriteResponse.getDefaultInstance();
    }, () -> 1_000);
    buffer.offer(Event.newBuilder().setName("e1").build());
    flusher.flush(Duration.ofSeconds(1));
    assertThat(flusher.refusedEvents()).isEqualTo(1);
    flusher.flush(Duration.ofSeconds(1));
    assertThat(sent).as("nothing to send again").hasSize(1);

    failure.set(Status.UNAVAILABLE);
    buffer.offer(Event.newBuilder().setName("e2").build());
    flusher.flush(Duration.ofSeconds(1));
    failure.set(null);
    flusher.flush(Duration.ofSeconds(1));
    assertThat(sent).extracting(r -> r.getEvents(0).getName()).containsExactly("e1", "e2", "e2");
    assertThat(flusher.refusedEvents()).isEqualTo(1);
    for (int i = 0; i < 10; i++) {
      assertThat(buffer.offer(Event.getDefaultInstance())).as("delivered events free their room").isTrue();
    }
  }

  @Test
  void theEventBufferHoldsTakenEventsUntilTheyAreReleased() {
    EventBuffer buffer = new EventBuffer(2);
    Event e = Event.newBuilder().setName("e").build();
    assertThat(buffer.offer(e)).isTrue();
    assertThat(buffer.offer(e)).isTrue();
    assertThat(buffer.offer(e)).isFalse();
    List<Event> taken = new ArrayList<>();
    buffer.takeAll(taken);
    assertThat(taken).hasSize(2);
    assertThat(buffer.offer(e)).as("taken, not delivered: still held").isFalse();
    buffer.release(1);
    assertThat(buffer.offer(e)).isTrue();
    assertThat(buffer.dropped()).isEqualTo(2);
  }

  @Test
  void theLogLimiterLetsOneLineAnIntervalAndCountsTheRest() {
    LogLimiter limiter = new LogLimiter(60_000);
    assertThat(limiter.occurred(1_000)).isZero();
    assertThat(limiter.occurred(2_000)).isEqualTo(LogLimiter.NOT_NOW);
    assertThat(limiter.occurred(60_999)).isEqualTo(LogLimiter.NOT_NOW);
    assertThat(limiter.occurred(61_000)).isEqualTo(2);
    assertThat(LogLimiter.more(2)).isEqualTo(" (2 more since the last report)");
    assertThat(LogLimiter.more(0)).isEmpty();
  }
}
