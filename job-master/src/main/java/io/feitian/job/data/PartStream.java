package io.feitian.job.data;

import com.google.protobuf.ByteString;
import io.feitian.common.grpc.CallFailures;
import io.feitian.common.retry.Backoff;
import io.feitian.proto.job.v1.DataChunk;
import io.feitian.proto.job.v1.FetchRequest;
import io.feitian.proto.job.v1.PipelineDataGrpc.PipelineDataStub;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One part being fetched for {@link PartFetcher}: checks every chunk, resumes broken streams. Not thread-safe. */
final class PartStream extends InputStream {
  static final int MAX_RETRIES = 3;
  /** Chunks asked for ahead of the reader; with the one being read, all this stream holds. */
  static final int PREFETCH = 4;
  private static final Logger log = LoggerFactory.getLogger(PartStream.class);

  private final String name;
  private final long length;
  private final int crc32c;
  private final FetchRequest request;
  private final Duration idleTimeout;
  private final Supplier<PipelineDataStub> stubs;
  private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
  private final CRC32C crc = new CRC32C();
  private final String nodeAddress;
  private long offset;
  private int retries;
  private Call call;
  private ByteString chunk = ByteString.EMPTY;
  private int pos;
  private boolean end;
  private boolean closed;
  private IOException failure;

  PartStream(String name, String nodeAddress, long length, int crc32c, FetchRequest request, Duration idleTimeout,
      Supplier<PipelineDataStub> stubs) {
    this.name = name;
    this.nodeAddress = nodeAddress;
    this.length = length;
    this.crc32c = crc32c;
    this.request = request;
    this.idleTimeout = idleTimeout;
    this.stubs = stubs;
  }

  @Override
  public int read() throws IOException {
    return fill() ? chunk.byteAt(pos++) & 0xff : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    if (!fill()) {
      return -1;
    }
    int n = Math.min(len, chunk.size() - pos);
    chunk.substring(pos, pos + n).copyTo(b, off);
    pos += n;
    return n;
  }

  @Override
  public int available() {
    return chunk.size() - pos;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      chunk = ByteString.EMPTY;
      pos = 0;
      cancel("the reader closed the stream");
    }
  }

  /** Makes sure unread bytes are at hand; false at the (verified) end. */
  private boolean fill() throws IOException {
    if (closed) {
      throw new IOException(name + ": stream closed");
    }
    if (failure != null) {
      throw failure;
    }
    try {
      while (pos == chunk.size()) {
        if (end) {
          return false;
        }
        if (call == null) {
          call = new Call();
          stubs.get().fetch(request.toBuilder().setOffset(offset).build(), call);
        }
        Object event = nextEvent();
        if (event instanceof DataChunk c) {
          accept(c);
        } else {
          finish((Status) event);
        }
      }
      return true;
    } catch (IOException e) {
      failure = e;
      cancel("the read failed");
      throw e;
    }
  }

  private Object nextEvent() throws IOException {
    try {
      Object event = call.events.poll(idleTimeout.toNanos(), TimeUnit.NANOSECONDS);
      if (event == null) {
        cancel("no data within " + idleTimeout);
        return Status.DEADLINE_EXCEEDED.withDescription("no data within " + idleTimeout);
      }
      return event;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(name + ": interrupted at byte " + offset);
    }
  }

  private void accept(DataChunk c) throws IOException {
    if (!call.started) {
      call.started = true;
      if (c.getTotalLength() != length) {
        throw corrupt("the node has " + c.getTotalLength() + " bytes, the part was committed with " + length);
      }
    }
    if (c.getOffset() != offset) {
      throw corrupt("a chunk starts at byte " + c.getOffset() + ", expected " + offset);
    }
    ByteString data = c.getData();
    if (data.size() > length - offset) {
      throw corrupt("the chunk at byte " + offset + " runs past the end of the " + length + " bytes");
    }
    CRC32C chunkCrc = new CRC32C();
    chunkCrc.update(data.asReadOnlyByteBuffer());
    if ((int) chunkCrc.getValue() != c.getCrc32C()) {
      throw corrupt("CRC32C mismatch in the chunk at byte " + offset);
    }
    crc.update(data.asReadOnlyByteBuffer());
    offset += data.size();
    chunk = data;
    pos = 0;
    call.stream.request(1);
  }

  private void finish(Status status) throws IOException {
    call = null;
    if (status.isOk()) {
      if (offset != length) {
        throw corrupt("the stream ended at byte " + offset + " of " + length);
      }
      if ((int) crc.getValue() != crc32c) {
        throw corrupt(String.format("the file's CRC32C is %08x, it was committed with %08x", (int) crc.getValue(),
            crc32c));
      }
      end = true;
      return;
    }
    if (!broken(status) || retries == MAX_RETRIES) {
      throw new PartUnavailableException(name + ": fetch failed at byte " + offset + (retries == 0 ? "" : " after "
          + retries + " retries") + ": " + status.getCode() + " " + status.getDescription(), nodeAddress,
          status.asException());
    }
    retries++;
    long pause = backoff.nextDelayMillis();
    log.info("{}: stream broke at byte {} ({} {}); resuming in {} ms, retry {} of {}", name, offset,
        status.getCode(), status.getDescription(), pause, retries, MAX_RETRIES);
    try {
      Thread.sleep(pause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(name + ": interrupted at byte " + offset);
    }
  }

  /** A stream the serving worker's going away cut (or that outlived its deadline): resumed where it broke. */
  private static boolean broken(Status status) {
    return CallFailures.lostTheServer(status) || status.getCode() == Status.Code.DEADLINE_EXCEEDED;
  }

  private IOException corrupt(String what) {
    return new PartUnavailableException(name + ": " + what, nodeAddress, null);
  }

  private void cancel(String why) {
    if (call != null) {
      call.stream.cancel(why, null);
      call = null;
    }
  }

  /** One Fetch call. Its events (chunks, then the closing status) arrive on gRPC's threads. */
  private static final class Call implements ClientResponseObserver<FetchRequest, DataChunk> {
    // gRPC delivers no more chunks than were requested, so PREFETCH chunks and the status always fit.
    final BlockingQueue<Object> events = new ArrayBlockingQueue<>(PREFETCH + 1);
    ClientCallStreamObserver<FetchRequest> stream;
    /** Whether the first chunk, which carries the total length, has been checked. */
    boolean started;

    @Override
    public void beforeStart(ClientCallStreamObserver<FetchRequest> stream) {
      this.stream = stream;
      stream.disableAutoRequestWithInitial(PREFETCH);
    }

    @Override
    public void onNext(DataChunk chunk) {
      events.add(chunk);
    }

    @Override
    public void onError(Throwable t) {
      events.add(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      events.add(Status.OK);
    }
  }
}
