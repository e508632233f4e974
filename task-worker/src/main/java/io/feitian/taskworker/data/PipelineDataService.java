package io.feitian.taskworker.data;

import io.feitian.common.pipeline.AttemptId;
import io.feitian.common.pipeline.PipelineLayout;
import io.feitian.proto.job.v1.DataChunk;
import io.feitian.proto.job.v1.FetchRequest;
import io.feitian.proto.job.v1.PipelineDataGrpc;
import io.feitian.proto.job.v1.ReleaseRequest;
import io.feitian.proto.job.v1.ReleaseResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's pipeline data service: serves the committed outputs of the
 * offline-job instances that ran on this node to downstream instances
 * anywhere, and deletes an application's data when its job ends
 * ({@code Release}) or when nothing of it has changed for the retention
 * period (a periodic sweep, for job-masters that died without releasing).
 * Files are found through {@link PipelineLayout}, which refuses any name
 * that could leave the store.
 */
public final class PipelineDataService extends PipelineDataGrpc.PipelineDataImplBase implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(PipelineDataService.class);
  /** Threads reading files for all fetches; a turn yields after a few chunks, so fetches share them. */
  private static final int READ_THREADS = 2;

  private enum State { LATENT, STARTED, CLOSED }

  /** What the tests watch: chunks read from disk, and files open for fetches. */
  static final class Counters {
    final AtomicLong chunksRead = new AtomicLong();
    final AtomicInteger openFiles = new AtomicInteger();
  }

  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private final PipelineLayout layout;
  private final Duration retention;
  private final Clock clock;
  private final ExecutorService reads = Executors.newFixedThreadPool(READ_THREADS, daemonThreads("pipeline-read"));
  private final ScheduledExecutorService sweeper =
      Executors.newSingleThreadScheduledExecutor(daemonThreads("pipeline-sweep"));
  final Counters counters = new Counters();

  /**
   * @param retention how long an application's data may go unchanged before a sweep deletes it
   */
  public PipelineDataService(PipelineLayout layout, Duration retention, Clock clock) {
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("retention must be positive, got " + retention);
    }
    this.layout = layout;
    this.retention = retention;
    this.clock = clock;
  }

  /**
   * Starts the sweeps: every quarter of the retention, but at least hourly
   * and at most every second, so data outlives its retention by at most that
   * much.
   */
  public void start() {
    if (!state.compareAndSet(State.LATENT, State.STARTED)) {
      throw new IllegalStateException("pipeline data service already started");
    }
    long period = Math.max(1000, Math.min(TimeUnit.HOURS.toMillis(1), retention.toMillis() / 4));
    sweeper.scheduleWithFixedDelay(this::sweepLogged, period, period, TimeUnit.MILLISECONDS);
  }

  @Override
  public void fetch(FetchRequest request, StreamObserver<DataChunk> response) {
    Path path;
    String name;
    try {
      AttemptId attempt = new AttemptId(request.getAppId(), request.getTask(), request.getInstance(),
          request.getAttempt());
      path = layout.file(attempt, request.getToTask(), request.getPartition());
      if (request.getOffset() < 0) {
        throw new IllegalArgumentException("offset must be >= 0, got " + request.getOffset());
      }
      name = "output of " + attempt + " to " + request.getToTask() + " partition " + request.getPartition();
    } catch (IllegalArgumentException e) {
      response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    FileChannel file;
    long size;
    try {
      file = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
      size = file.size();
    } catch (NoSuchFileException e) {
      response.onError(Status.NOT_FOUND.withDescription("no committed " + name + " on this node").asRuntimeException());
      return;
    } catch (IOException e) {
      response.onError(Status.INTERNAL.withDescription("cannot open " + name + ": " + e).asRuntimeException());
      return;
    }
    counters.openFiles.incrementAndGet();
    if (request.getOffset() > size) {
      closeUnsent(file);
      response.onError(Status.OUT_OF_RANGE.withDescription("offset " + request.getOffset() + " is past the end of the "
          + name + " (" + size + " bytes)").asRuntimeException());
      return;
    }
    new ChunkSender((ServerCallStreamObserver<DataChunk>) response, file, name, request.getOffset(), size, reads,
        counters).start();
  }

  private void closeUnsent(FileChannel file) {
    try {
      file.close();
    } catch (IOException e) {
      // Read-only and nothing was read: nothing is lost.
    }
    counters.openFiles.decrementAndGet();
  }

  @Override
  public void release(ReleaseRequest request, StreamObserver<ReleaseResponse> response) {
    try {
      long bytes = layout.deleteApp(request.getAppId());
      log.info("released the pipeline data of {}: {} bytes", request.getAppId(), bytes);
      response.onNext(ReleaseResponse.newBuilder().setBytesFreed(bytes).build());
      response.onCompleted();
    } catch (IllegalArgumentException e) {
      response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
    } catch (IOException e) {
      response.onError(Status.INTERNAL.withDescription("cannot delete the pipeline data of " + request.getAppId()
          + ": " + e).asRuntimeException());
    }
  }

  /** The applications this node holds pipeline data of. */
  public List<String> appsHeld() throws IOException {
    List<String> held = new ArrayList<>();
    if (Files.isDirectory(layout.root())) {
      try (DirectoryStream<Path> apps = Files.newDirectoryStream(layout.root())) {
        for (Path app : apps) {
          if (PipelineLayout.isAppId(app.getFileName().toString())) {
            held.add(app.getFileName().toString());
          }
        }
      }
    }
    return held;
  }

  /**
   * Runs {@code work} on the sweeps' thread: releases delete files and may
   * wait on the leader, which neither a gRPC thread nor the master link may.
   */
  public void onSweepThread(Runnable work) {
    try {
      sweeper.execute(work);
    } catch (RejectedExecutionException e) {
      // closing: the next start sweeps
    }
  }

  /** Deletes an application's data, saying why in the log. */
  public void release(String appId, String why) throws IOException {
    long bytes = layout.deleteApp(appId);
    if (bytes > 0) {
      log.info("released the pipeline data of {}: {} bytes ({})", appId, bytes, why);
    }
  }

  /**
   * Deletes the data of every application in which nothing has changed for
   * the retention period.
   *
   * @return the applications whose data was deleted
   */
  List<String> sweep() throws IOException {
    List<String> released = new ArrayList<>();
    if (!Files.isDirectory(layout.root())) {
      return released;
    }
    Instant cutoff = clock.instant().minus(retention);
    try (DirectoryStream<Path> apps = Files.newDirectoryStream(layout.root())) {
      for (Path app : apps) {
        String appId = app.getFileName().toString();
        if (PipelineLayout.isAppId(appId) && !changedSince(app, cutoff)) {
          long bytes = layout.deleteApp(appId);
          log.info("deleted the pipeline data of {} ({} bytes): unchanged for {}", appId, bytes, retention);
          released.add(appId);
        }
      }
    }
    return released;
  }

  private void sweepLogged() {
    try {
      sweep();
    } catch (IOException | RuntimeException e) {
      log.warn("pipeline data sweep failed; trying again later", e);
    }
  }

  /** Whether anything in the tree was modified after the cutoff: a write anywhere keeps all of it. */
  private static boolean changedSince(Path dir, Instant cutoff) throws IOException {
    boolean[] changed = {false};
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
        return check(attrs);
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        return check(attrs);
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE; // deleted meanwhile (a release or a failed attempt)
        }
        throw e;
      }

      private FileVisitResult check(BasicFileAttributes attrs) {
        changed[0] = attrs.lastModifiedTime().toInstant().isAfter(cutoff);
        return changed[0] ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
      }
    });
    return changed[0];
  }

  /**
   * Stops the sweeps and the reads; call after the server has stopped.
   * Turns already queued still run, so the files of cancelled fetches get closed.
   */
  @Override
  public void close() {
    state.set(State.CLOSED);
    sweeper.shutdownNow();
    reads.shutdown();
    try {
      if (!reads.awaitTermination(5, TimeUnit.SECONDS)) {
        reads.shutdownNow();
      }
    } catch (InterruptedException e) {
      reads.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
