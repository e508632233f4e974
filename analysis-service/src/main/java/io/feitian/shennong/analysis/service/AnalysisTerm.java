package io.feitian.shennong.analysis.service;

import io.feitian.client.shennong.MonitorClient;
import io.feitian.client.shennong.Subscription;
import io.feitian.common.lifecycle.EventLoop;
import io.feitian.proto.shennong.v1.Kind;
import io.feitian.proto.shennong.v1.Operation;
import io.feitian.proto.shennong.v1.SampleUpdate;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.feitian.proto.shennong.v1.SubscriptionUpdate;
import io.feitian.proto.shennong.v1.TopResponse;
import io.feitian.shennong.analysis.ClusterTotals;
import io.feitian.shennong.analysis.Grouping;
import io.feitian.shennong.analysis.HistoryCopy;
import io.feitian.shennong.analysis.NodeInfo;
import io.feitian.shennong.analysis.QueryResult;
import io.feitian.shennong.analysis.Total;
import io.feitian.shennong.analysis.TotalsQuery;
import io.grpc.Status;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One term of leadership of the analysis-service: the core ({@link ClusterTotals}), restored from
 * the snapshot on disk when there is one, fed by one RAW Shennong subscription to every series a
 * total reads, all on one thread (the loop). Steps are formed as time passes; the history is
 * snapshotted every {@code snapshot-interval} and when the term ends: copied on the loop, encoded
 * and written off it ({@link SnapshotEncoder}). Node metadata (rack, role) is asked of fuxi-master
 * off the loop too.
 */
final class AnalysisTerm implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AnalysisTerm.class);

  /** Every series some total reads, as one selector: the subscription asks for these only. */
  static final String INPUTS = Arrays.stream(Total.values()).map(Total::input).filter(Objects::nonNull).distinct()
      .sorted().collect(Collectors.joining("|"));

  /** What the term needs from its daemon, for the term's life. */
  record Parts(AnalysisServiceSettings settings, String cluster, Clock clock, MonitorClient shennong,
               SnapshotFile file, Supplier<Map<String, NodeInfo>> fuxiNodes) {}

  private final long epoch;
  private final Parts parts;
  private final AnalysisServiceSettings settings;
  private final Clock clock;
  private final EventLoop loop;
  /** Blocking work: fuxi-master's node list. */
  private final ScheduledExecutorService io;
  private final SnapshotEncoder snapshots;
  // Loop-owned:
  private final ClusterTotals core;
  private final NodeBook nodeBook;
  private Subscription subscription;
  private boolean closed;

  AnalysisTerm(long epoch, Optional<byte[]> stored, Parts parts) {
    this.epoch = epoch;
    this.parts = parts;
    this.settings = parts.settings();
    this.clock = parts.clock();
    this.core = restore(stored);
    settings.nodes().values().forEach(core::putNode);
    this.nodeBook = new NodeBook(settings.nodes());
    this.snapshots = new SnapshotEncoder(epoch, parts.file());
    this.loop = new EventLoop("analysis-term-" + epoch, e -> log.error("a task of term {} failed", epoch, e));
    this.io = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "analysis-term-" + epoch + "-io");
      t.setDaemon(true);
      return t;
    });
    loop.post(this::subscribe);
    long fine = settings.history().fineStepMs();
    long advanceEvery = Math.max(100, fine / 10);
    loop.every(advanceEvery, advanceEvery, () -> core.advance(clock.millis()));
    loop.every(settings.snapshotIntervalMs(), settings.snapshotIntervalMs(), this::snapshot);
    io.scheduleWithFixedDelay(this::askFuxi, 0, settings.nodeInfoIntervalMs(), TimeUnit.MILLISECONDS);
  }

  /** The snapshot's history, or none when there is none or it is refused (then the history starts now). */
  private ClusterTotals restore(Optional<byte[]> stored) {
    long now = clock.millis();
    if (stored.isPresent()) {
      try {
        ClusterTotals c = ClusterTotals.restore(settings.history(), parts.cluster(), stored.get(), now);
        log.info("term {}: history restored from {} ({} bytes, {} series)", epoch, parts.file().path(),
            stored.get().length, c.seriesCount());
        return c;
      } catch (IllegalArgumentException e) {
        log.error("term {}: the snapshot {} is refused ({}); the history starts now", epoch, parts.file().path(),
            e.getMessage());
      }
    } else {
      log.info("term {}: no snapshot in {}; the history starts now", epoch, parts.file().path());
    }
    return new ClusterTotals(settings.history(), parts.cluster(), now);
  }

  private void subscribe() {
    SubscribeRequest request = SubscribeRequest.newBuilder().setSelector(INPUTS).setKind(Kind.KIND_METRICS)
        .setOperation(Operation.OPERATION_RAW).build();
    subscription = parts.shennong().subscribe(request, new Subscription.Listener() {
      @Override
      public void onStream(String master) {
        loop.post(() -> log.info("term {}: subscribed through shennong-master {}", epoch, master));
      }

      @Override
      public void onUpdate(SubscriptionUpdate update) {
        loop.post(() -> take(update));
      }

      @Override
      public void onEnd(Status status) {
        if (!status.isOk()) {
          loop.post(() -> log.error("term {}: the subscription ended for good: {}", epoch, status));
        }
      }
    });
  }

  private void take(SubscriptionUpdate update) {
    if (closed) {
      return;
    }
    // Samples of a step not formed yet must not be taken for ahead: form what is due first.
    core.advance(clock.millis());
    for (SampleUpdate u : update.getSamplesList()) {
      core.write(u.getSample().getName(), u.getSample().getLabelsMap(), u.getSample().getTimestampMs(),
          u.getSample().getValue());
    }
  }

  private void askFuxi() {
    Map<String, NodeInfo> nodes;
    try {
      nodes = new HashMap<>(parts.fuxiNodes().get());
    } catch (RuntimeException e) {
      log.debug("term {}: no node list from fuxi-master: {}", epoch, e.toString());
      return;
    }
    loop.post(() -> {
      NodeBook.Changes changes = nodeBook.update(nodes);
      changes.put().forEach(core::putNode);
      changes.removed().forEach(core::removeNode);
    });
  }

  /** Copies the history on the loop for the encoder; nothing while it still encodes the last one. */
  private void snapshot() {
    snapshots.encode(() -> core.copy(clock.millis()));
  }

  // ---- The API: each call runs on the loop. ----

  /** IllegalArgumentException naming the field for a bad query. */
  CompletableFuture<QueryResult> query(TotalsQuery q) {
    return loop.call(() -> core.query(q, clock.millis()));
  }

  /** The newest formed step; IllegalArgumentException naming the field for a bad grouping. */
  CompletableFuture<TopResponse> top(Grouping grouping, String sort, int limit) {
    return loop.call(() -> {
      long now = clock.millis();
      core.advance(now);
      long fine = settings.history().fineStepMs();
      long start = (core.nextStep() - 1) * fine;
      QueryResult cluster = core.query(new TotalsQuery("*", Grouping.CLUSTER.label(), start, start, fine), now);
      QueryResult groups = core.query(new TotalsQuery("*", grouping.label(), start, start, fine), now);
      return TopTable.of(start, fine, cluster, grouping.label(), groups, sort, limit);
    });
  }

  /** The newest snapshot encoded; the first of the term is made now when there is none yet. */
  CompletableFuture<SnapshotEncoder.Encoded> newestSnapshot() {
    return snapshots.newest().map(CompletableFuture::completedFuture)
        .orElseGet(() -> loop.call(() -> snapshots.encode(() -> core.copy(clock.millis()))).thenCompose(f -> f));
  }

  /** Ends the term: the subscription closed, the loop stopped, the history written to disk. */
  @Override
  public void close() {
    HistoryCopy last = loop.call(() -> {
      if (closed) {
        return null;
      }
      closed = true;
      if (subscription != null) {
        subscription.close();
      }
      log.info("term {}: samples {}", epoch, core.counts());
      return core.copy(clock.millis());
    }).handle((v, e) -> v).join();
    loop.close();
    io.shutdownNow();
    snapshots.finish(last);
  }
}
