package io.feitian.testkit;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority for TLS tests: issues certificates for
 * 127.0.0.1/localhost and writes PEM files (certificate chain, PKCS#8 key).
 */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private final Path dir;
  private final KeyPair caKeys;
  private final X509Certificate caCert;

  /** A pair of PEM files. */
  public record Issued(Path cert, Path key) {}

  public TestPki(Path dir, String caName) {
    this.dir = dir;
    try {
      Files.createDirectories(dir);
      this.caKeys = newKeyPair();
      X500Name name = new X500Name("CN=" + caName);
      JcaX509v3CertificateBuilder b = builder(name, name, caKeys);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      this.caCert = sign(b, caKeys.getPrivate());
      writePem(caPath(), caCert);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  public Path caPath() {
    return dir.resolve("ca.pem");
  }

  /** A certificate signed by this CA, valid for 127.0.0.1 and localhost, usable as server and client. */
  public Issued issue(String commonName) {
    try {
      KeyPair keys = newKeyPair();
      JcaX509v3CertificateBuilder b = builder(new X500Name("CN=" + caCert.getSubjectX500Principal().getName().substring(3)),
          new X500Name("CN=" + commonName), keys);
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
          new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
      X509Certificate cert = sign(b, caKeys.getPrivate());
      Path certPath = dir.resolve(commonName + ".pem");
      Path keyPath = dir.resolve(commonName + ".key");
      writePem(certPath, cert);
      writePem(keyPath, new JcaPKCS8Generator(keys.getPrivate(), null).generate());
      return new Issued(certPath, keyPath);
    } catch (Exception e) {
      throw new IllegalStateException("cannot issue certificate for " + commonName, e);
    }
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    return g.generateKeyPair();
  }

  private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject, keys.getPublic());
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey key)
      throws GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException {
    ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
    X509CertificateHolder holder = b.build(signer);
    return new JcaX509CertificateConverter().getCertificate(holder);
  }

  private static void writePem(Path path, Object object) throws IOException {
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      w.writeObject(object);
    }
    Files.writeString(path, sw.toString());
  }
}
