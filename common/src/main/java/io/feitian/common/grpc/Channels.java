package io.feitian.common.grpc;

import io.feitian.common.security.TlsSettings;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NegotiationType;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/** Opens channels to other daemons with the process's TLS settings and keepalives. */
public final class Channels {
  private Channels() {}

  /** @param target host:port */
  public static ManagedChannel open(String target, TlsSettings tls) {
    NettyChannelBuilder b = NettyChannelBuilder.forTarget(target)
        .maxInboundMessageSize(16 * 1024 * 1024)
        // Keepalives notice a dead peer (e.g. a kill -9'd leader) on idle streams.
        .keepAliveTime(10, TimeUnit.SECONDS)
        .keepAliveTimeout(5, TimeUnit.SECONDS)
        .keepAliveWithoutCalls(true);
    if (tls.enabled()) {
      try {
        b.sslContext(tls.clientContext()).negotiationType(NegotiationType.TLS);
      } catch (SSLException e) {
        throw new IllegalArgumentException("cannot load TLS material: " + e.getMessage(), e);
      }
    } else {
      b.usePlaintext();
    }
    return b.build();
  }

  /** Closes a channel, waiting briefly for calls to finish. */
  public static void close(ManagedChannel channel) {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(2, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
