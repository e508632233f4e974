package io.feitian.service.worker;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.StampedLock;

/**
 * The partitions this worker serves, and the gate every request passes:
 * a request holds its partition's read lock while it runs; stopping a
 * partition (unload, split, a lost ZooKeeper connection) takes the write
 * lock, so it waits for requests in flight and lets no new one in. The
 * serving log is written while the lock is held, START before the first
 * request and END after the last.
 */
final class Ownership {
  private static final class Slot {
    final PartitionInfo info;
    final StampedLock lock = new StampedLock();
    volatile boolean serving = true;

    Slot(PartitionInfo info) {
      this.info = info;
    }
  }

  private final ServingLog log;
  /** Range start -> slot. Guarded by this. */
  private final TreeMap<String, Slot> byStart = new TreeMap<>();
  /** False while the ZooKeeper session is not connected: the worker may have lost its partitions. */
  private volatile boolean connected = true;

  Ownership(ServingLog log) {
    this.log = log;
  }

  Served serve(String key) {
    Slot s;
    synchronized (this) {
      Map.Entry<String, Slot> e = byStart.floorEntry(key);
      s = e == null ? null : e.getValue();
    }
    if (s == null || !s.info.range().contains(key)) {
      throw Status.FAILED_PRECONDITION.withDescription("this worker does not serve key '" + key + "'")
          .asRuntimeException();
    }
    long stamp = s.lock.readLock();
    if (!s.serving || !connected) {
      s.lock.unlockRead(stamp);
      throw Status.FAILED_PRECONDITION.withDescription("this worker does not serve partition " + s.info.id()
          + (connected ? "" : " now: it lost touch with ZooKeeper") + "; look its owner up again").asRuntimeException();
    }
    return new Served() {
      private boolean open = true;

      @Override
      public PartitionInfo partition() {
        return s.info;
      }

      @Override
      public synchronized void close() {
        if (open) {
          open = false;
          s.lock.unlockRead(stamp);
        }
      }
    };
  }

  synchronized Optional<PartitionInfo> serving(String id) {
    return byStart.values().stream().filter(s -> s.info.id().equals(id)).map(s -> s.info).findFirst();
  }

  synchronized List<PartitionInfo> all() {
    return byStart.values().stream().map(s -> s.info).toList();
  }

  /** Starts serving a loaded partition. */
  void start(PartitionInfo p) {
    Slot s = new Slot(p);
    long stamp = s.lock.writeLock();
    try {
      synchronized (this) {
        byStart.put(p.range().start(), s);
      }
      if (connected) {
        log.started(p);
      } else {
        s.serving = false; // resumed with the others when the session is back
      }
    } finally {
      s.lock.unlockWrite(stamp);
    }
  }

  /** Stops serving a partition once its requests in flight are done, and forgets it. */
  void stop(String id) {
    Slot s;
    synchronized (this) {
      s = byStart.values().stream().filter(x -> x.info.id().equals(id)).findFirst().orElse(null);
    }
    if (s == null) {
      return;
    }
    // No new request gets in from here (readers check the flag under the read lock, and a waiting
    // writer does not hold back new readers of a StampedLock); then those in flight are waited for.
    boolean was = s.serving && connected;
    s.serving = false;
    long stamp = s.lock.writeLock();
    try {
      synchronized (this) {
        byStart.remove(s.info.range().start(), s);
      }
      if (was) {
        log.ended(s.info);
      }
    } finally {
      s.lock.unlockWrite(stamp);
    }
  }

  /** The ZooKeeper connection is down: no request is served until it is back. */
  void pause() {
    connected = false;
    for (Slot s : slots()) {
      long stamp = s.lock.writeLock();
      try {
        if (s.serving) {
          s.serving = false;
          log.ended(s.info);
        }
      } finally {
        s.lock.unlockWrite(stamp);
      }
    }
  }

  /**
   * Connected again: the partitions in {@code keep} (still this worker's
   * at the same epoch) are served again; the others are forgotten and
   * returned, for the worker to drop.
   */
  List<PartitionInfo> resume(java.util.Set<String> keep) {
    List<PartitionInfo> dropped = new ArrayList<>();
    for (Slot s : slots()) {
      long stamp = s.lock.writeLock();
      try {
        if (!keep.contains(s.info.id())) {
          s.serving = false;
          synchronized (this) {
            byStart.remove(s.info.range().start(), s);
          }
          dropped.add(s.info);
        } else if (!s.serving) {
          log.started(s.info);
          s.serving = true;
        }
      } finally {
        s.lock.unlockWrite(stamp);
      }
    }
    connected = true;
    return dropped;
  }

  private synchronized List<Slot> slots() {
    return new ArrayList<>(byStart.values());
  }
}
