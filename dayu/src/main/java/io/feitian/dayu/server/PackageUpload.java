package io.feitian.dayu.server;

import io.feitian.dayu.db.ConfigDatabase;
import io.feitian.dayu.db.ModuleStore;
import io.feitian.dayu.packages.IncomingPackage;
import io.feitian.dayu.packages.PackageStore;
import io.feitian.dayu.packages.ReleasePackage;
import io.feitian.proto.dayu.v1.ModuleVersion;
import io.feitian.proto.dayu.v1.PackageHeader;
import io.feitian.proto.dayu.v1.UploadPackageChunk;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;

/**
 * One UploadPackage call: the header is checked before any byte is stored, the data is written and
 * hashed as it arrives (never more than the header announced, never more than the server takes),
 * and at the end the size, checksum, archive and descriptor are checked before the package is
 * published: the version and the package's bytes go into the configuration database together. The
 * received file is deleted in every case: once published, on any refusal, and when the client goes
 * away. gRPC delivers one call's messages one at a time, so this needs no lock.
 */
final class PackageUpload implements StreamObserver<UploadPackageChunk> {
  static final int MAX_CHUNK_BYTES = 1024 * 1024;

  private final ConfigDatabase db;
  private final ModuleChecks checks;
  private final PackageStore store;
  private final long maxPackageBytes;
  private final int pieceBytes;
  private final String caller;
  private final StreamObserver<ModuleVersion> out;
  private PackageHeader header;
  private String publishedBy;
  private IncomingPackage incoming;
  private boolean ended;

  PackageUpload(ConfigDatabase db, ModuleChecks checks, PackageStore store, long maxPackageBytes, int pieceBytes,
      String caller, StreamObserver<ModuleVersion> out) {
    this.db = db;
    this.checks = checks;
    this.store = store;
    this.maxPackageBytes = maxPackageBytes;
    this.pieceBytes = pieceBytes;
    this.caller = caller;
    this.out = out;
  }

  @Override
  public void onNext(UploadPackageChunk chunk) {
    if (ended) {
      return; // refused already; the client has not seen it yet
    }
    try {
      if (header == null) {
        start(chunk);
      } else {
        append(chunk);
      }
    } catch (RuntimeException e) {
      refuse(e);
    }
  }

  private void start(UploadPackageChunk chunk) {
    if (!chunk.hasHeader()) {
      throw new IllegalArgumentException("header is required as the first message, before any data");
    }
    PackageHeader h = chunk.getHeader();
    String by = h.getPublishedBy().isEmpty() ? caller : h.getPublishedBy();
    ModuleStore.checkPublication(h.getModule(), h.getVersion(), h.getSha256(), h.getSizeBytes(), by);
    if (h.getSizeBytes() > maxPackageBytes) {
      throw new IllegalArgumentException("size_bytes is " + h.getSizeBytes() + "; this server takes packages of at most "
          + maxPackageBytes + " bytes (dayu.server.max-package-size)");
    }
    header = h;
    publishedBy = by;
    incoming = store.receive();
  }

  private void append(UploadPackageChunk chunk) {
    if (!chunk.hasData()) {
      throw new IllegalArgumentException("header must be sent once, as the first message; then only data");
    }
    int n = chunk.getData().size();
    if (n > MAX_CHUNK_BYTES) {
      throw new IllegalArgumentException("data is " + n + " bytes in one message; at most " + MAX_CHUNK_BYTES
          + " are taken");
    }
    if (incoming.size() + n > header.getSizeBytes()) {
      throw new IllegalArgumentException("size_bytes is " + header.getSizeBytes()
          + " (the header's), but more bytes arrived");
    }
    for (ByteBuffer b : chunk.getData().asReadOnlyByteBufferList()) {
      incoming.write(b);
    }
  }

  @Override
  public void onCompleted() {
    if (ended) {
      return;
    }
    try {
      if (header == null) {
        throw new IllegalArgumentException("header is required as the first message, before any data");
      }
      out.onNext(publish());
      ended = true;
      out.onCompleted();
    } catch (RuntimeException e) {
      refuse(e);
    }
  }

  private ModuleVersion publish() {
    if (incoming.size() != header.getSizeBytes()) {
      throw new IllegalArgumentException("size_bytes is " + header.getSizeBytes() + " (the header's), but "
          + incoming.size() + " bytes arrived");
    }
    String sha256 = incoming.finish();
    if (!sha256.equals(header.getSha256())) {
      throw new IllegalArgumentException("sha256 is " + header.getSha256() + " (the header's), but the package's is "
          + sha256);
    }
    String module = header.getModule();
    String version = header.getVersion();
    String descriptor = ReleasePackage.descriptorText(incoming.file());
    checks.checkPublishable(module, version, descriptor);
    // The database keeps the package (shared with the standby); the received file is then dropped.
    var published = db.modules().publish(module, version, sha256, header.getSizeBytes(), descriptor,
        publishedBy, incoming.file(), pieceBytes);
    discard();
    return Messages.moduleVersion(published);
  }

  /** The client cancelled or went away: what it sent is dropped. */
  @Override
  public void onError(Throwable t) {
    ended = true;
    discard();
  }

  private void refuse(RuntimeException e) {
    ended = true;
    try {
      discard();
    } finally {
      out.onError(Statuses.of(e));
    }
  }

  private void discard() {
    if (incoming != null) {
      incoming.close();
    }
  }
}
