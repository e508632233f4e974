package io.feitian.dayu.agent;

import io.feitian.common.grpc.CallSettings;
import io.feitian.dayu.agent.node.PackageSource;
import io.feitian.proto.dayu.v1.DayuServiceGrpc;
import io.feitian.proto.dayu.v1.FetchPackageRequest;
import io.feitian.proto.dayu.v1.PackageChunk;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Release packages from dayu-server's FetchPackage stream (peer-to-peer distribution comes in issue 16). */
final class ServerPackages implements PackageSource {
  private final Supplier<ManagedChannel> channel;
  private final CallSettings calls;

  ServerPackages(Supplier<ManagedChannel> channel, CallSettings calls) {
    this.channel = channel;
    this.calls = calls;
  }

  @Override
  public void fetch(String module, String version, Path target, Duration timeout) throws IOException {
    ManagedChannel ch = channel.get();
    if (ch == null) {
      throw new IOException("not connected to dayu-server");
    }
    try (OutputStream out = Files.newOutputStream(target)) {
      Iterator<PackageChunk> chunks = calls.streaming(DayuServiceGrpc.newBlockingStub(ch))
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .fetchPackage(FetchPackageRequest.newBuilder().setModule(module).setVersion(version).build());
      while (chunks.hasNext()) {
        chunks.next().getData().writeTo(out);
      }
    } catch (StatusRuntimeException e) {
      throw new IOException("dayu-server did not send " + module + " " + version + ": " + e.getStatus(), e);
    }
  }
}
