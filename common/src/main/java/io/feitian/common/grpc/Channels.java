package io.feitian.common.grpc;

import io.feitian.common.security.BearerToken;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.security.TlsSettings;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NegotiationType;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Opens channels to other daemons with the process's security settings (TLS,
 * and its token on every call that does not bring its own credentials) and
 * keepalives.
 */
public final class Channels {
  private Channels() {}

  /** @param target host:port */
  public static ManagedChannel open(String target, SecuritySettings security) {
    TlsSettings tls = security.tls();
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
    security.credentials().ifPresent(token -> b.intercept(new DefaultCredentials(token)));
    return b.build();
  }

  /** Gives calls made without credentials of their own the process's token. */
  private record DefaultCredentials(BearerToken token) implements ClientInterceptor {
    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method,
        CallOptions options, Channel next) {
      return next.newCall(method, options.getCredentials() == null ? options.withCallCredentials(token) : options);
    }
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
