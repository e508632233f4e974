package io.feitian.dayu.server;

import com.google.protobuf.UnsafeByteOperations;
import io.feitian.proto.dayu.v1.PackageChunk;
import io.grpc.stub.ServerCallStreamObserver;
import java.io.IOException;
import java.io.InputStream;

/**
 * One FetchPackage call: sends the file in chunks of at most 1 MiB while the client takes them
 * (gRPC's onReady), so a slow reader holds at most a chunk or two in the server's memory rather
 * than the package. gRPC runs the ready and cancel handlers one at a time.
 */
final class PackageSender {
  private final InputStream in;
  private final ServerCallStreamObserver<PackageChunk> out;
  private boolean ended;

  private PackageSender(InputStream in, ServerCallStreamObserver<PackageChunk> out) {
    this.in = in;
    this.out = out;
  }

  /** Starts sending {@code in}, which the sender closes when done, failed or cancelled. */
  static void start(InputStream in, ServerCallStreamObserver<PackageChunk> out) {
    PackageSender sender = new PackageSender(in, out);
    out.setOnCancelHandler(sender::end);
    out.setOnReadyHandler(sender::send);
  }

  private void send() {
    try {
      while (!ended && out.isReady()) {
        byte[] chunk = in.readNBytes(PackageUpload.MAX_CHUNK_BYTES);
        if (chunk.length == 0) {
          end();
          out.onCompleted();
          return;
        }
        // The array is not touched again, so protobuf may hold it without a copy.
        out.onNext(PackageChunk.newBuilder().setData(UnsafeByteOperations.unsafeWrap(chunk)).build());
      }
    } catch (IOException | RuntimeException e) {
      if (!ended) {
        end();
        out.onError(Statuses.of(e));
      }
    }
  }

  private void end() {
    ended = true;
    try {
      in.close();
    } catch (IOException e) {
      // Nothing was written: a read-only file that fails to close changes nothing.
    }
  }
}
