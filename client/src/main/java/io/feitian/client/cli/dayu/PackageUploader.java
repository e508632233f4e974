package io.feitian.client.cli.dayu;

import com.google.protobuf.UnsafeByteOperations;
import io.feitian.proto.dayu.v1.DayuServiceGrpc;
import io.feitian.proto.dayu.v1.ModuleVersion;
import io.feitian.proto.dayu.v1.PackageHeader;
import io.feitian.proto.dayu.v1.UploadPackageChunk;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Sends a package file with UploadPackage: the header, then 1 MiB chunks, each only when gRPC says
 * the stream is ready (onReady), so a package of gigabytes never sits in the CLI's memory. gRPC
 * calls the ready handler one at a time.
 */
final class PackageUploader implements ClientResponseObserver<UploadPackageChunk, ModuleVersion> {
  private static final int CHUNK_BYTES = 1024 * 1024;

  private final PackageHeader header;
  private final InputStream in;
  private final CompletableFuture<ModuleVersion> answer = new CompletableFuture<>();
  private ClientCallStreamObserver<UploadPackageChunk> requests;
  private boolean headerSent;
  private boolean ended;

  private PackageUploader(PackageHeader header, InputStream in) {
    this.header = header;
    this.in = in;
  }

  /** Uploads {@code file}; the answer, or the server's refusal as a StatusRuntimeException. */
  static ModuleVersion upload(DayuServiceGrpc.DayuServiceStub stub, PackageFile file, String publishedBy)
      throws IOException, InterruptedException {
    PackageHeader header = PackageHeader.newBuilder().setModule(file.module()).setVersion(file.version())
        .setSha256(file.sha256()).setSizeBytes(file.size()).setPublishedBy(publishedBy).build();
    try (InputStream in = Files.newInputStream(file.path())) {
      PackageUploader uploader = new PackageUploader(header, in);
      stub.uploadPackage(uploader);
      return uploader.answer.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException s) {
        throw s;
      }
      if (e.getCause() instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<UploadPackageChunk> requests) {
    this.requests = requests;
    requests.setOnReadyHandler(this::send);
  }

  private void send() {
    try {
      while (!ended && requests.isReady()) {
        if (!headerSent) {
          requests.onNext(UploadPackageChunk.newBuilder().setHeader(header).build());
          headerSent = true;
          continue;
        }
        byte[] chunk = in.readNBytes(CHUNK_BYTES);
        if (chunk.length == 0) {
          ended = true;
          requests.onCompleted();
          return;
        }
        // The array is not touched again, so protobuf may hold it without a copy.
        requests.onNext(UploadPackageChunk.newBuilder().setData(UnsafeByteOperations.unsafeWrap(chunk)).build());
      }
    } catch (IOException e) {
      ended = true;
      requests.cancel("the package file could not be read", e);
      answer.completeExceptionally(new UncheckedIOException(e));
    }
  }

  @Override
  public void onNext(ModuleVersion published) {
    answer.complete(published);
  }

  @Override
  public void onError(Throwable t) {
    ended = true;
    answer.completeExceptionally(t instanceof StatusRuntimeException ? t : Status.fromThrowable(t).asRuntimeException());
  }

  @Override
  public void onCompleted() {}
}
