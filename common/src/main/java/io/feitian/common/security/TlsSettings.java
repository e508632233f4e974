package io.feitian.common.security;

import com.typesafe.config.Config;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * TLS material of a daemon: its certificate and key, the CA it trusts, and
 * (for servers) whether peers must present a certificate.
 */
public record TlsSettings(boolean enabled, Path cert, Path key, Path ca, ClientAuthMode clientAuth) {

  public enum ClientAuthMode { NONE, OPTIONAL, REQUIRE }

  public static final TlsSettings DISABLED = new TlsSettings(false, null, null, null, ClientAuthMode.NONE);

  public static TlsSettings from(Config config) {
    Config tls = config.getConfig("feitian.security.tls");
    if (!tls.getBoolean("enabled")) {
      return DISABLED;
    }
    ClientAuthMode mode;
    try {
      mode = ClientAuthMode.valueOf(tls.getString("client-auth").toUpperCase());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("feitian.security.tls.client-auth must be none, optional or require, got '"
          + tls.getString("client-auth") + "'", e);
    }
    TlsSettings s = new TlsSettings(true, path(tls, "cert"), path(tls, "key"), path(tls, "ca"), mode);
    s.check();
    return s;
  }

  private static Path path(Config tls, String key) {
    String v = tls.getString(key);
    return v.isBlank() ? null : Path.of(v);
  }

  private void check() {
    requireFile("cert", cert);
    requireFile("key", key);
    requireFile("ca", ca);
  }

  private static void requireFile(String name, Path p) {
    if (p == null) {
      throw new IllegalArgumentException("feitian.security.tls." + name + " must be set when TLS is enabled");
    }
    if (!Files.isReadable(p)) {
      throw new IllegalArgumentException("feitian.security.tls." + name + " is not a readable file: " + p);
    }
  }

  public SslContext serverContext() throws SSLException {
    SslContextBuilder b = GrpcSslContexts.forServer(cert.toFile(), key.toFile());
    b.trustManager(ca.toFile());
    b.clientAuth(switch (clientAuth) {
      case NONE -> ClientAuth.NONE;
      case OPTIONAL -> ClientAuth.OPTIONAL;
      case REQUIRE -> ClientAuth.REQUIRE;
    });
    return b.build();
  }

  public SslContext clientContext() throws SSLException {
    SslContextBuilder b = GrpcSslContexts.forClient().trustManager(ca.toFile());
    if (cert != null && key != null) {
      b.keyManager(cert.toFile(), key.toFile());
    }
    return b.build();
  }

  /** Client-only settings: trust a CA, optionally present a certificate. */
  public static TlsSettings client(File ca, File cert, File key) {
    return new TlsSettings(true, cert == null ? null : cert.toPath(), key == null ? null : key.toPath(),
        ca.toPath(), ClientAuthMode.NONE);
  }
}
