package io.feitian.dayu.p2p;

import java.util.Optional;

/**
 * A bounded number of concurrent uploads on one peer. A request beyond them is answered "busy" at
 * once (RESOURCE_EXHAUSTED) rather than queued: the asking agent's {@link PiecePicker} then tries
 * another peer, which spreads the load faster than waiting in line would. Thread-safe.
 */
public final class UploadSlots {
  private final int max;
  private int used;

  public UploadSlots(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("upload slots must be at least 1, got " + max);
    }
    this.max = max;
  }

  /** A slot to close when the upload ends, or empty when all are taken (the caller answers busy). */
  public synchronized Optional<Slot> tryAcquire() {
    if (used == max) {
      return Optional.empty();
    }
    used++;
    return Optional.of(new Slot());
  }

  public synchronized int inUse() {
    return used;
  }

  public int max() {
    return max;
  }

  private synchronized void release() {
    used--;
  }

  /** One upload's slot; closing it twice releases it once. */
  public final class Slot implements AutoCloseable {
    private boolean closed;

    private Slot() {}

    @Override
    public void close() {
      synchronized (UploadSlots.this) {
        if (!closed) {
          closed = true;
          release();
        }
      }
    }
  }
}
