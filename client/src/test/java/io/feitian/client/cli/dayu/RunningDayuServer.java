package io.feitian.client.cli.dayu;

import io.feitian.common.config.ConfigLoader;
import io.feitian.common.grpc.Channels;
import io.feitian.common.security.SecuritySettings;
import io.feitian.dayu.server.DayuServer;
import io.feitian.proto.dayu.v1.DayuServiceGrpc;
import io.feitian.proto.dayu.v1.FetchPackageRequest;
import io.grpc.ManagedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A real dayu-server on loopback, its H2 database (which keeps the packages) in {@code dataDir}, for the CLI's
 * tests. (dayu's own DayuServerFixture is a test class of that module; the client tests start the
 * server the same way.)
 */
final class RunningDayuServer implements AutoCloseable {
  private final DayuServer server;

  RunningDayuServer(Path dataDir, Map<String, ?> settings) {
    Map<String, Object> all = new HashMap<>(Map.of("dayu.data-dir", dataDir.toString(),
        "dayu.server.bind", "127.0.0.1", "dayu.server.port", 0));
    all.putAll(settings);
    server = new DayuServer(ConfigLoader.load(null, all));
    server.start();
  }

  boolean isLeader() {
    return server.isLeader();
  }

  String address() {
    return "127.0.0.1:" + server.port();
  }

  /** The package the server keeps for {@code module} at {@code version}, fetched as an agent does. */
  byte[] fetchPackage(String module, String version) {
    ManagedChannel channel = Channels.open(address(), SecuritySettings.INSECURE);
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DayuServiceGrpc.newBlockingStub(channel).fetchPackage(FetchPackageRequest.newBuilder().setModule(module)
          .setVersion(version).build()).forEachRemaining(c -> bytes.writeBytes(c.getData().toByteArray()));
      return bytes.toByteArray();
    } finally {
      Channels.close(channel);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
