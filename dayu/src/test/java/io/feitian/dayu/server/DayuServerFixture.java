package io.feitian.dayu.server;

import io.feitian.common.config.ConfigLoader;
import io.feitian.common.grpc.Channels;
import io.feitian.common.security.SecuritySettings;
import io.feitian.proto.dayu.v1.DayuServiceGrpc;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real dayu-server on loopback over an H2 database in {@code dataDir}, and a client of it. */
final class DayuServerFixture implements AutoCloseable {
  private final DayuServer server;
  private final ManagedChannel channel;

  DayuServerFixture(Path dataDir) {
    server = new DayuServer(ConfigLoader.load(null, Map.of("dayu.data-dir", dataDir.toString(),
        "dayu.server.bind", "127.0.0.1", "dayu.server.port", 0)));
    server.start();
    channel = Channels.open("127.0.0.1:" + server.port(), SecuritySettings.INSECURE);
  }

  DayuServiceGrpc.DayuServiceBlockingStub dayu() {
    return DayuServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    Channels.close(channel);
    server.close();
  }
}
