package io.feitian.common.security;

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
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority for clusters that have none: a fresh CA
 * (EC P-256) whose certificate is written to {@code <dir>/ca.pem}, issuing
 * certificates for given subject alternative names. Each certificate is
 * written as {@code <dir>/<name>.pem} (PEM) with its private key as
 * {@code <dir>/<name>.key} (PKCS#8 PEM, mode 0600), the form
 * {@link TlsSettings} reads. The CA's own key stays in memory: once this
 * object is gone nobody can issue another certificate under that CA.
 *
 * <p>Used by {@code feitian local up --secure} and by the tests of TLS. A
 * production cluster should have its certificates from its own CA.
 */
public final class Pki {
  /** What a certificate is valid for when the caller does not say: this host. */
  public static final List<String> LOOPBACK = List.of("127.0.0.1", "localhost");
  public static final Duration DEFAULT_VALIDITY = Duration.ofDays(365);
  /** Certificates are valid from a little before now, so that hosts whose clocks lag accept them. */
  private static final Duration BACKDATE = Duration.ofHours(1);
  private static final Pattern IP_ADDRESS = Pattern.compile("[0-9.]+|.*:.*");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final KeyPair caKeys;
  private final X500Name caName;
  private final Duration validity;

  /** A certificate chain and its private key, as PEM files. */
  public record Issued(Path cert, Path key) {}

  /** A CA named {@code caName} writing into {@code dir}; its certificates are valid for a year. */
  public Pki(Path dir, String caName) {
    this(dir, caName, DEFAULT_VALIDITY);
  }

  public Pki(Path dir, String caName, Duration validity) {
    if (validity.isNegative() || validity.isZero()) {
      throw new IllegalArgumentException("validity must be positive, got " + validity);
    }
    this.dir = dir;
    this.validity = validity;
    this.caName = commonName(caName);
    try {
      Files.createDirectories(dir);
      this.caKeys = newKeyPair();
      JcaX509v3CertificateBuilder b = builder(this.caName, caKeys);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      writePem(caPath(), sign(b));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the CA certificate to " + dir, e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot create a CA", e);
    }
  }

  /** The CA certificate (PEM): what peers trust. */
  public Path caPath() {
    return dir.resolve("ca.pem");
  }

  /** A certificate for {@code name} valid for 127.0.0.1 and localhost, usable by servers and clients. */
  public Issued issue(String name) {
    return issue(name, LOOPBACK);
  }

  /**
   * A certificate for {@code name} (its common name and file names), valid
   * for the given host names and IP addresses (none: a client-only
   * certificate), usable by servers and clients.
   */
  public Issued issue(String name, List<String> subjectAltNames) {
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException("certificate name must be letters, digits, '.', '_' or '-', got '" + name + "'");
    }
    try {
      KeyPair keys = newKeyPair();
      JcaX509v3CertificateBuilder b = builder(commonName(name), keys);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
      if (!subjectAltNames.isEmpty()) {
        GeneralName[] names = subjectAltNames.stream().map(Pki::generalName).toArray(GeneralName[]::new);
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      Issued issued = new Issued(dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
      writePem(issued.cert(), sign(b));
      PrivateFiles.write(issued.key(), pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate()));
      return issued;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the certificate of " + name + " to " + dir, e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot issue a certificate for " + name, e);
    }
  }

  private static GeneralName generalName(String san) {
    return new GeneralName(IP_ADDRESS.matcher(san).matches() ? GeneralName.iPAddress : GeneralName.dNSName, san);
  }

  private static X500Name commonName(String cn) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build();
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    return g.generateKeyPair();
  }

  private JcaX509v3CertificateBuilder builder(X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(caName, new BigInteger(63, RANDOM).add(BigInteger.ONE),
        Date.from(now.minus(BACKDATE)), Date.from(now.plus(validity)), subject, keys.getPublic());
  }

  private X509Certificate sign(JcaX509v3CertificateBuilder b) throws GeneralSecurityException, OperatorCreationException {
    PrivateKey key = caKeys.getPrivate();
    return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }

  private static void writePem(Path path, Object object) throws IOException {
    Files.writeString(path, pem(object));
  }

  private static String pem(Object object) throws IOException {
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      w.writeObject(object);
    }
    return sw.toString();
  }
}
