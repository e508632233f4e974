package io.feitian.taskworker.process;

import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervisor's mutable view of one worker. Every change goes through {@link #update}, which
 * persists the new record and hands the new snapshot to the publisher while holding this object's
 * lock, so the snapshots of one worker are published in the order the changes happened. Reading the
 * record or a snapshot takes no lock: a node's heartbeat lists every worker, and must not wait for
 * the disk writes of a launch or a kill (on a loaded machine they took seconds, and the node was
 * declared lost).
 */
final class SupervisedWorker {
  private static final Logger LOG = LoggerFactory.getLogger(SupervisedWorker.class);

  private final WorkerDirectory dir;
  private final CompletableFuture<WorkerSnapshot> ended = new CompletableFuture<>();
  private volatile WorkerRecord record; // written under this object's lock
  private Process process; // guarded by this; null when adopted or not started
  /** The program's own pid (the wrapper's child), once the watchdog has seen it; 0 before. */
  private volatile long programPid;

  SupervisedWorker(WorkerDirectory dir, WorkerRecord record) {
    this.dir = dir;
    this.record = record;
    if (record.state().isEnded()) {
      ended.complete(record.toSnapshot(dir.workDir()));
    }
  }

  WorkerDirectory dir() {
    return dir;
  }

  String workerId() {
    return dir.root().getFileName().toString();
  }

  WorkerRecord record() {
    return record;
  }

  /** The current state, at once, even while a change is being persisted or published. */
  WorkerSnapshot snapshot() {
    return record.toSnapshot(dir.workDir());
  }

  long programPid() {
    return programPid;
  }

  void programPid(long pid) {
    programPid = pid;
  }

  /** The process this JVM started, when it did (then the JVM is its parent and reaps it). */
  synchronized Process process() {
    return process;
  }

  synchronized void attach(Process started) {
    this.process = started;
  }

  /** Completes with the final snapshot; callers get a copy they cannot complete. */
  CompletableFuture<WorkerSnapshot> whenEnded() {
    return ended.thenApply(s -> s);
  }

  /**
   * Applies {@code change}, persists the result and, when the state changed, publishes the new
   * snapshot. Does nothing once the worker has ended: final states are final.
   *
   * @return the snapshot after the change
   */
  synchronized WorkerSnapshot update(
      UnaryOperator<WorkerRecord> change, Consumer<WorkerSnapshot> publisher) {
    if (record.state().isEnded()) {
      return snapshot();
    }
    WorkerRecord previous = record;
    record = change.apply(previous);
    persist();
    WorkerSnapshot snapshot = snapshot();
    if (previous.state() != record.state()) {
      publisher.accept(snapshot);
    }
    if (record.state().isEnded()) {
      ended.complete(snapshot);
    }
    return snapshot;
  }

  /** Writes the current record; a failure is logged, not thrown: the live state matters more. */
  synchronized void persist() {
    try {
      dir.writeRecord(record);
    } catch (UncheckedIOException e) {
      LOG.error("cannot persist the state of worker {}; a restarted task-worker may misreport it",
          workerId(), e);
    }
  }
}
