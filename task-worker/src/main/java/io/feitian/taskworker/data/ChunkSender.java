package io.feitian.taskworker.data;

import com.google.protobuf.UnsafeByteOperations;
import io.feitian.proto.job.v1.DataChunk;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * Streams one file to one Fetch call no faster than the client takes it: a
 * chunk is read only while the call is ready for more (gRPC flow control),
 * so a slow reader costs the node a chunk or two of memory, not the file.
 * Reads run on the service's read executor, never on gRPC's threads, and
 * only one turn of this sender runs at a time: gRPC's ready and cancel
 * callbacks only count a signal, and whoever takes the count from zero
 * schedules the next turn. The file is closed however the call ends.
 */
final class ChunkSender {
  static final int CHUNK_BYTES = 64 * 1024;
  /** Chunks one turn may send before giving the read thread to other calls. */
  private static final int CHUNKS_PER_TURN = 16;

  private final ServerCallStreamObserver<DataChunk> out;
  private final FileChannel file;
  private final String name;
  private final long size;
  private final Executor reads;
  private final PipelineDataService.Counters counters;
  /** Signals not yet handled; a turn is scheduled or running while it is above zero. */
  private final AtomicInteger signals = new AtomicInteger();
  private long position;
  private boolean first = true;
  private boolean done;

  ChunkSender(ServerCallStreamObserver<DataChunk> out, FileChannel file, String name, long offset, long size,
      Executor reads, PipelineDataService.Counters counters) {
    this.out = out;
    this.file = file;
    this.name = name;
    this.position = offset;
    this.size = size;
    this.reads = reads;
    this.counters = counters;
  }

  /** Must be called from the Fetch handler itself: gRPC only takes callbacks set there. */
  void start() {
    out.setOnReadyHandler(this::signal);
    out.setOnCancelHandler(this::signal);
    signal();
  }

  private void signal() {
    if (signals.getAndIncrement() == 0) {
      schedule();
    }
  }

  private void schedule() {
    try {
      reads.execute(this::turn);
    } catch (RejectedExecutionException e) {
      // The service is stopping; no turn runs, so this thread may end the call.
      end(Status.UNAVAILABLE.withDescription("the node's pipeline data service is stopping"));
    }
  }

  private void turn() {
    int seen = signals.get();
    while (true) {
      if (!sendWhileReady()) {
        schedule(); // signals stay above zero, so no other turn starts meanwhile
        return;
      }
      // Signals that came during the pass need another: the call may have become ready again.
      seen = signals.addAndGet(-seen);
      if (seen == 0) {
        return;
      }
    }
  }

  /** @return false if it stopped only to let other calls have the thread */
  private boolean sendWhileReady() {
    if (done) {
      return true;
    }
    if (out.isCancelled()) {
      end(null);
      return true;
    }
    try {
      for (int sent = 0; out.isReady(); sent++) {
        if (sent == CHUNKS_PER_TURN) {
          return false;
        }
        sendChunk();
        if (position == size) {
          end(Status.OK);
          return true;
        }
      }
    } catch (IOException | RuntimeException e) {
      end(Status.INTERNAL.withDescription("cannot read " + name + " at byte " + position + ": " + e));
    }
    return true;
  }

  /** One chunk from the current position; the first one of the call also when the file is empty. */
  private void sendChunk() throws IOException {
    int n = (int) Math.min(CHUNK_BYTES, size - position);
    ByteBuffer buffer = ByteBuffer.allocate(n);
    while (buffer.hasRemaining()) {
      if (file.read(buffer, position + buffer.position()) < 0) {
        throw new EOFException("the file is shorter than the " + size + " bytes it had when the fetch began");
      }
    }
    counters.chunksRead.incrementAndGet();
    CRC32C crc = new CRC32C();
    crc.update(buffer.array());
    DataChunk.Builder chunk = DataChunk.newBuilder()
        .setOffset(position)
        // The buffer is never touched again, so the chunk may own it without a copy.
        .setData(UnsafeByteOperations.unsafeWrap(buffer.array()))
        .setCrc32C((int) crc.getValue());
    if (first) {
      chunk.setTotalLength(size);
      first = false;
    }
    out.onNext(chunk.build());
    position += n;
  }

  /** Closes the file and ends the call with the status (null: the client is gone already). */
  private void end(Status status) {
    if (done) {
      return;
    }
    done = true;
    try {
      file.close();
    } catch (IOException e) {
      // Read-only: nothing is lost.
    }
    counters.openFiles.decrementAndGet();
    if (status == null || out.isCancelled()) {
      return;
    }
    if (status.isOk()) {
      out.onCompleted();
    } else {
      out.onError(status.asRuntimeException());
    }
  }
}
