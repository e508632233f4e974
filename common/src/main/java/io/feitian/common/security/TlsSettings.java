package io.feitian.common.security;

import com.typesafe.config.Config;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * TLS material of a daemon: its certificate and key, the CA it trusts, and
 * (for servers) whether peers must present a certificate. The same PEM files
 * give the gRPC servers and channels their Netty contexts ({@link #serverContext},
 * {@link #clientContext}) and the servers the JDK runs (/metrics) a JDK one
 * ({@link #sslContext}, {@link #serverParameters}).
 */
public record TlsSettings(boolean enabled, Path cert, Path key, Path ca, ClientAuthMode clientAuth) {

  public enum ClientAuthMode { NONE, OPTIONAL, REQUIRE }

  public static final TlsSettings DISABLED = new TlsSettings(false, null, null, null, ClientAuthMode.NONE);

  /** Only ever in memory: a KeyStore wants a password, and no file is written. */
  private static final char[] IN_MEMORY_PASSWORD = "in-memory".toCharArray();

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

  /**
   * A JDK context from the same PEM files as the gRPC contexts, for a server or a client: it
   * presents {@code cert} (a chain, leaf first) with {@code key} (unencrypted PKCS#8, or an
   * OpenSSL "traditional" key) when both are set, and trusts the certificates in {@code ca}. Whether
   * a server asks for client certificates is not part of a context: see {@link #serverParameters}.
   *
   * @throws IllegalArgumentException naming the setting whose file cannot be read or used
   */
  public SSLContext sslContext() {
    try {
      KeyManager[] keyManagers = null;
      if (cert != null && key != null) {
        KeyStore own = emptyKeyStore();
        own.setKeyEntry("key", readKey(key), IN_MEMORY_PASSWORD,
            readCertificates("cert", cert).toArray(X509Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(own, IN_MEMORY_PASSWORD);
        keyManagers = kmf.getKeyManagers();
      }
      KeyStore trusted = emptyKeyStore();
      List<X509Certificate> cas = readCertificates("ca", ca);
      for (int i = 0; i < cas.size(); i++) {
        trusted.setCertificateEntry("ca-" + i, cas.get(i));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("feitian.security.tls: cannot use " + cert + ", " + key + " and " + ca
          + " for TLS: " + e, e);
    }
  }

  /**
   * What a server built on {@code context} (from {@link #sslContext}) sets on each connection:
   * the context's defaults, asking for a client certificate as {@link #clientAuth} says, the way
   * {@link #serverContext} does for gRPC.
   */
  public SSLParameters serverParameters(SSLContext context) {
    SSLParameters p = context.getDefaultSSLParameters();
    switch (clientAuth) {
      case NONE -> p.setNeedClientAuth(false); // also clears "want"
      case OPTIONAL -> p.setWantClientAuth(true);
      case REQUIRE -> p.setNeedClientAuth(true);
    }
    return p;
  }

  private static KeyStore emptyKeyStore() throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new IllegalStateException("an empty KeyStore does not read anything", e);
    }
    return store;
  }

  private static List<X509Certificate> readCertificates(String name, Path pem) throws GeneralSecurityException {
    List<X509Certificate> certs = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (Reader r = Files.newBufferedReader(pem); PEMParser parser = new PEMParser(r)) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (o instanceof X509CertificateHolder holder) {
          certs.add(converter.getCertificate(holder));
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("feitian.security.tls." + name + ": cannot read " + pem + ": " + e, e);
    }
    if (certs.isEmpty()) {
      throw new IllegalArgumentException("feitian.security.tls." + name + ": no PEM certificate in " + pem);
    }
    return certs;
  }

  private static PrivateKey readKey(Path pem) {
    Object o;
    try (Reader r = Files.newBufferedReader(pem); PEMParser parser = new PEMParser(r)) {
      o = parser.readObject();
    } catch (IOException e) {
      throw new IllegalArgumentException("feitian.security.tls.key: cannot read " + pem + ": " + e, e);
    }
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try {
      if (o instanceof PrivateKeyInfo pkcs8) {
        return converter.getPrivateKey(pkcs8);
      }
      if (o instanceof PEMKeyPair traditional) {
        return converter.getPrivateKey(traditional.getPrivateKeyInfo());
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("feitian.security.tls.key: unusable key in " + pem + ": " + e, e);
    }
    if (o instanceof PKCS8EncryptedPrivateKeyInfo || o instanceof PEMEncryptedKeyPair) {
      throw new IllegalArgumentException("feitian.security.tls.key: " + pem
          + " is encrypted; Feitian reads unencrypted keys (keep the file mode 0600)");
    }
    throw new IllegalArgumentException("feitian.security.tls.key: no PEM private key in " + pem);
  }

  /** Client-only settings: trust a CA, optionally present a certificate. */
  public static TlsSettings client(File ca, File cert, File key) {
    return new TlsSettings(true, cert == null ? null : cert.toPath(), key == null ? null : key.toPath(),
        ca.toPath(), ClientAuthMode.NONE);
  }
}
