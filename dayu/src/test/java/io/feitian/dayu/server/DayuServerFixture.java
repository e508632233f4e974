package io.feitian.dayu.server;

import com.google.protobuf.ByteString;
import com.typesafe.config.Config;
import io.feitian.common.config.ConfigLoader;
import io.feitian.common.grpc.Channels;
import io.feitian.common.grpc.FutureObserver;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.security.TlsSettings;
import io.feitian.dayu.db.ConfigDatabase;
import io.feitian.proto.dayu.v1.DayuServiceGrpc;
import io.feitian.proto.dayu.v1.FetchPackageRequest;
import io.feitian.proto.dayu.v1.ModuleVersion;
import io.feitian.proto.dayu.v1.PackageChunk;
import io.feitian.proto.dayu.v1.PackageHeader;
import io.feitian.proto.dayu.v1.UploadPackageChunk;
import io.feitian.testkit.SamplePackages;
import io.feitian.proto.dayu.v1.RolloutServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A real dayu-server on loopback over an H2 database in {@code dataDir}, and a client of it. */
final class DayuServerFixture implements AutoCloseable {
  private final DayuServer server;
  private final ManagedChannel channel;
  private final boolean tls;

  DayuServerFixture(Path dataDir) {
    this(dataDir, Map.of());
  }

  /** With {@code settings} on top of the test's (e.g. a small dayu.server.max-package-size). */
  DayuServerFixture(Path dataDir, Map<String, Object> settings) {
    Map<String, Object> all = new HashMap<>(Map.of("dayu.data-dir", dataDir.toString(),
        "dayu.server.bind", "127.0.0.1", "dayu.server.port", 0));
    all.putAll(settings);
    Config config = ConfigLoader.load(null, all);
    TlsSettings tlsSettings = TlsSettings.from(config);
    tls = tlsSettings.enabled();
    server = new DayuServer(config);
    server.start();
    // As a daemon of the cluster would call it: the server's own TLS settings and token, when they are on.
    channel = Channels.open(target(), SecuritySettings.client(tlsSettings, SecuritySettings.from(config).token()));
  }

  String target() {
    return "127.0.0.1:" + server.port();
  }

  /** The web UI's base URL (dayu.server.http.port set): https with feitian.security.tls on. */
  String web() {
    return (tls ? "https" : "http") + "://127.0.0.1:" + server.httpPort();
  }

  DayuServiceGrpc.DayuServiceBlockingStub dayu() {
    return DayuServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  DayuServiceGrpc.DayuServiceStub async() {
    return DayuServiceGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** Publishes the sample package of {@code module} at {@code version} (SamplePackages.sample). */
  ModuleVersion publish(String module, String version, String... dependencies) {
    return upload(module, version, SamplePackages.sample(module, version, dependencies));
  }

  /** Uploads {@code bytes} with a header telling their true size and checksum. */
  ModuleVersion upload(String module, String version, byte[] bytes) {
    return upload(header(module, version, bytes).build(), bytes);
  }

  static PackageHeader.Builder header(String module, String version, byte[] bytes) {
    return PackageHeader.newBuilder().setModule(module).setVersion(version)
        .setSha256(SamplePackages.sha256(bytes)).setSizeBytes(bytes.length);
  }

  /** FetchPackage's bytes; the size of each message it sent is added to {@code chunkSizes}. */
  byte[] fetch(String module, String version, List<Integer> chunkSizes) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Iterator<PackageChunk> chunks = dayu().fetchPackage(FetchPackageRequest.newBuilder().setModule(module)
        .setVersion(version).build());
    chunks.forEachRemaining(c -> {
      chunkSizes.add(c.getData().size());
      bytes.writeBytes(c.getData().toByteArray());
    });
    return bytes.toByteArray();
  }

  /**
   * UploadPackage as a client calls it: the header, then the bytes in chunks of up to 256 KiB
   * (a few chunks for the larger test packages). A refusal is thrown as the StatusRuntimeException.
   */
  ModuleVersion upload(PackageHeader header, byte[] bytes) {
    CompletableFuture<ModuleVersion> answer = new CompletableFuture<>();
    StreamObserver<UploadPackageChunk> up = async().uploadPackage(observer(answer));
    up.onNext(UploadPackageChunk.newBuilder().setHeader(header).build());
    for (int at = 0; at < bytes.length; at += 256 * 1024) {
      up.onNext(UploadPackageChunk.newBuilder()
          .setData(ByteString.copyFrom(bytes, at, Math.min(256 * 1024, bytes.length - at))).build());
    }
    up.onCompleted();
    return await(answer);
  }

  static <T> StreamObserver<T> observer(CompletableFuture<T> answer) {
    return FutureObserver.completing(answer);
  }

  static <T> T await(CompletableFuture<T> answer) {
    try {
      return answer.get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException s) {
        throw s;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }

  RolloutServiceGrpc.RolloutServiceBlockingStub rollouts() {
    return RolloutServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  ConfigDatabase database() {
    return server.database();
  }

  boolean isLeader() {
    return server.isLeader();
  }

  /** Ends the server's ZooKeeper session as a network partition would (election on only). */
  void expireZooKeeperSession() throws Exception {
    server.zooKeeper().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
  }

  @Override
  public void close() {
    Channels.close(channel);
    server.close();
  }
}
