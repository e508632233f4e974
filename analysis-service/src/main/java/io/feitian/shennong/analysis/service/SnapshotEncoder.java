package io.feitian.shennong.analysis.service;

import io.feitian.shennong.analysis.HistoryCopy;
import io.grpc.Status;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A term's snapshots: each copied on the term's loop ({@link HistoryCopy}: array copies) and
 * encoded and written to the file on a thread of its own, so that the loop never encodes (about
 * 45 MB every {@code snapshot-interval} at 100 nodes). At most one encoding is in flight: a
 * snapshot asked for while one is being encoded is that one, and its copy is not even taken. The
 * newest encoded snapshot is kept for the standby, with its version ({@value #FORMAT}).
 */
final class SnapshotEncoder {
  private static final Logger log = LoggerFactory.getLogger(SnapshotEncoder.class);
  private static final String FORMAT = "EPOCH.N";

  /** A snapshot's bytes and its version: the term's epoch and the how-manyth snapshot of the term. */
  record Encoded(String version, byte[] bytes) {}

  private final long epoch;
  private final SnapshotFile file;
  private final ExecutorService thread;
  // Guarded by this:
  private long made;
  private CompletableFuture<Encoded> inFlight;
  private volatile Encoded newest;

  SnapshotEncoder(long epoch, SnapshotFile file) {
    this.epoch = epoch;
    this.file = file;
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "analysis-term-" + epoch + "-snapshot");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Encodes the copy {@code copy} takes (call on the loop, which owns what it copies) and writes it
   * to the file; or, while an encoding is in flight, is that one.
   */
  synchronized CompletableFuture<Encoded> encode(Supplier<HistoryCopy> copy) {
    if (inFlight != null) {
      return inFlight;
    }
    HistoryCopy c = copy.get();
    String version = epoch + "." + (++made);
    CompletableFuture<Encoded> f;
    try {
      f = CompletableFuture.supplyAsync(() -> written(new Encoded(version, c.encode())), thread);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(Status.UNAVAILABLE.withDescription("the term is ending")
          .asRuntimeException());
    }
    inFlight = f;
    f.whenComplete((encoded, error) -> finished(f, encoded));
    return f;
  }

  private synchronized void finished(CompletableFuture<Encoded> f, Encoded encoded) {
    if (encoded != null) {
      newest = encoded;
    }
    if (inFlight == f) {
      inFlight = null;
    }
  }

  /** The newest snapshot encoded, if any yet. */
  Optional<Encoded> newest() {
    return Optional.ofNullable(newest);
  }

  private Encoded written(Encoded e) {
    try {
      file.write(e.bytes());
    } catch (IOException ex) {
      // The standby can still fetch it; the next snapshot tries the disk again.
      log.error("term {}: could not write the snapshot {}", epoch, file.path(), ex);
    }
    return e;
  }

  /** Encodes and writes {@code last} (none when null) after the one in flight, then stops the thread. */
  void finish(HistoryCopy last) {
    if (last != null) {
      thread.execute(() -> written(new Encoded(epoch + ".last", last.encode())));
    }
    thread.shutdown();
    try {
      if (!thread.awaitTermination(60, TimeUnit.SECONDS)) {
        log.error("term {}: the last snapshot was not written within 60 s", epoch);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
