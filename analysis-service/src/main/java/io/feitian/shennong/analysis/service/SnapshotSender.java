package io.feitian.shennong.analysis.service;

import static io.feitian.common.grpc.AsyncAnswer.status;

import com.google.protobuf.UnsafeByteOperations;
import io.feitian.proto.shennong.v1.SnapshotChunk;
import io.feitian.shennong.analysis.service.SnapshotEncoder.Encoded;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.CompletableFuture;

/**
 * One FetchSnapshot call: sends the snapshot in chunks while the client takes them (gRPC's
 * onReady), each chunk made when it is sent, so a slow standby holds a chunk or two in the
 * leader's memory rather than a copy of the snapshot per call. When the caller already holds the
 * snapshot's version, one message says so instead. The snapshot arrives later than the call (it
 * may still be encoding) and on another thread than gRPC's callbacks: every step holds the lock.
 */
final class SnapshotSender {
  private final ServerCallStreamObserver<SnapshotChunk> out;
  private final String have;
  private final int chunkBytes;
  // Guarded by this:
  private Encoded snapshot;
  private int at;
  private int chunksSent;
  private boolean ended;

  private SnapshotSender(ServerCallStreamObserver<SnapshotChunk> out, String have, int chunkBytes) {
    this.out = out;
    this.have = have;
    this.chunkBytes = chunkBytes;
  }

  /**
   * Sends what {@code snapshot} completes with, or the status its failure maps to. Call from the
   * FetchSnapshot handler itself: gRPC only takes callbacks set there.
   */
  static SnapshotSender start(ServerCallStreamObserver<SnapshotChunk> out, String have, int chunkBytes,
                              CompletableFuture<Encoded> snapshot) {
    SnapshotSender sender = new SnapshotSender(out, have, chunkBytes);
    out.setOnCancelHandler(sender::cancelled);
    out.setOnReadyHandler(sender::send);
    snapshot.whenComplete(sender::arrived);
    return sender;
  }

  private synchronized void arrived(Encoded encoded, Throwable error) {
    if (ended) {
      return;
    }
    if (error != null) {
      ended = true;
      out.onError(status(error).asRuntimeException());
      return;
    }
    snapshot = encoded;
    send();
  }

  private synchronized void send() {
    if (ended || snapshot == null) {
      return;
    }
    if (snapshot.version().equals(have)) {
      ended = true;
      out.onNext(SnapshotChunk.newBuilder().setVersion(have).setUnchanged(true).build());
      out.onCompleted();
      return;
    }
    byte[] bytes = snapshot.bytes();
    while (at < bytes.length && out.isReady()) {
      int n = Math.min(chunkBytes, bytes.length - at);
      // The encoded bytes are never changed, so the chunk may share them without a copy.
      SnapshotChunk.Builder chunk = SnapshotChunk.newBuilder().setData(UnsafeByteOperations.unsafeWrap(bytes, at, n));
      if (at == 0) {
        chunk.setVersion(snapshot.version());
      }
      out.onNext(chunk.build());
      at += n;
      chunksSent++;
    }
    if (at == bytes.length) {
      ended = true;
      out.onCompleted();
    }
  }

  private synchronized void cancelled() {
    ended = true;
  }

  /** Chunks of data sent so far. */
  synchronized int chunksSent() {
    return chunksSent;
  }
}
