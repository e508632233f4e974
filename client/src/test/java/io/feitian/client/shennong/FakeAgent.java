package io.feitian.client.shennong;

import io.feitian.common.grpc.GrpcServer;
import io.feitian.common.security.SecuritySettings;
import io.feitian.proto.shennong.v1.AgentServiceGrpc;
import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.RefusalReason;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.proto.shennong.v1.WriteResponse;
import io.feitian.shennong.series.SeriesKey;
import io.feitian.shennong.series.SeriesStore;
import io.feitian.shennong.series.SeriesWindow;
import io.feitian.shennong.series.StoreLimits;
import io.feitian.shennong.wire.Ingest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * An agent for the writer's tests: a real gRPC server on loopback whose Write runs the agent's
 * own write path ({@link Ingest#apply} on a {@link SeriesStore}). It can stop and start again on
 * the same port (keeping its store, as an agent that was only unreachable), and hang its writes.
 */
final class FakeAgent implements AutoCloseable {
  private final SeriesStore store;
  private final List<Event> events = new ArrayList<>();
  private final Map<RefusalReason, Integer> refusedSamples = new TreeMap<>();
  private long requests;
  private volatile CountDownLatch hang;
  private volatile CountDownLatch entered = new CountDownLatch(1);
  private GrpcServer server;
  private int port;

  private FakeAgent(StoreLimits limits) {
    this.store = new SeriesStore(limits);
  }

  static FakeAgent start() {
    return start(StoreLimits.DEFAULT);
  }

  static FakeAgent start(StoreLimits limits) {
    FakeAgent a = new FakeAgent(limits);
    a.listen(0);
    return a;
  }

  private void listen(int p) {
    server = GrpcServer.netty("127.0.0.1", p, SecuritySettings.INSECURE).service(new Service())
        .shutdownGrace(Duration.ofMillis(100)).build().start();
    port = server.port();
  }

  String address() {
    return "127.0.0.1:" + port;
  }

  /** Stops answering: connections are refused. */
  void stop() {
    server.close();
  }

  /** Listens again on the same port, with the same store. */
  void restart() {
    listen(port);
  }

  /** Makes every write wait until the returned latch is released; {@link #entered()} tells when one does. */
  CountDownLatch hangWrites() {
    entered = new CountDownLatch(1);
    hang = new CountDownLatch(1);
    return hang;
  }

  /** Counts down when a write call reaches the hang. */
  CountDownLatch entered() {
    return entered;
  }

  /** The newest value of a series, or null while it has none. */
  synchronized Double newest(String name, String... labels) {
    SeriesWindow w = store.window(key(name, labels));
    return w == null || w.size() == 0 ? null : w.valueAt(w.size() - 1);
  }

  /** Every value the series holds, oldest first. */
  List<Double> values(String name, String... labels) {
    return each(w -> w::valueAt, name, labels);
  }

  /** Every timestamp the series holds, oldest first. */
  List<Long> timestamps(String name, String... labels) {
    return each(w -> w::timestampAt, name, labels);
  }

  private synchronized <T> List<T> each(Function<SeriesWindow, IntFunction<T>> field, String name,
      String... labels) {
    SeriesWindow w = store.window(key(name, labels));
    List<T> out = new ArrayList<>();
    for (int i = 0; w != null && i < w.size(); i++) {
      out.add(field.apply(w).apply(i));
    }
    return out;
  }

  synchronized int seriesCount() {
    return store.seriesCount();
  }

  synchronized List<Event> events() {
    return List.copyOf(events);
  }

  /** Samples refused, by reason, since the agent started. */
  synchronized Map<RefusalReason, Integer> refusedSamples() {
    return Map.copyOf(refusedSamples);
  }

  /** Write requests the agent applied. */
  synchronized long requests() {
    return requests;
  }

  private static SeriesKey key(String name, String... labels) {
    return SeriesKey.of(name, Registry.pairs(name, labels));
  }

  private synchronized WriteResponse apply(WriteRequest request) {
    Ingest.Result r = Ingest.apply(store, request);
    requests++;
    events.addAll(r.events());
    r.response().getRefusalsList().forEach(f -> refusedSamples.merge(f.getReason(), f.getSamples(), Integer::sum));
    return r.response();
  }

  @Override
  public void close() {
    CountDownLatch h = hang;
    if (h != null) {
      h.countDown();
    }
    server.close();
  }

  private final class Service extends AgentServiceGrpc.AgentServiceImplBase {
    @Override
    public void write(WriteRequest request, StreamObserver<WriteResponse> response) {
      CountDownLatch h = hang;
      if (h != null) {
        entered.countDown();
        try {
          h.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      WriteResponse r;
      try {
        r = apply(request);
      } catch (IllegalArgumentException e) {
        response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        return;
      }
      response.onNext(r);
      response.onCompleted();
    }
  }
}
