package io.feitian.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The throwaway CA: chains, names, file modes, and files TLS can load. */
class PkiTest {
  @TempDir
  Path dir;

  static X509Certificate read(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  /** PKIX validation of {@code cert} against {@code ca} as the only trust anchor (no revocation lists). */
  static void validate(X509Certificate cert, X509Certificate ca) throws Exception {
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(cert)), params);
  }

  static List<String> subjectAltNames(X509Certificate cert) throws Exception {
    var names = cert.getSubjectAlternativeNames();
    return names == null ? List.of() : names.stream().map(n -> n.get(0) + ":" + n.get(1)).toList();
  }

  @Test
  void issuedCertificatesChainToTheCaAndNoOther() throws Exception {
    Pki pki = new Pki(dir.resolve("pki"), "cluster-ca");
    Pki.Issued server = pki.issue("daemon");
    X509Certificate ca = read(pki.caPath());
    X509Certificate cert = read(server.cert());

    assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0); // a CA
    assertThat(cert.getBasicConstraints()).isEqualTo(-1); // not a CA
    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=daemon");
    assertThat(cert.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
    validate(cert, ca);

    X509Certificate rogueCa = read(new Pki(dir.resolve("rogue"), "cluster-ca").caPath());
    assertThatThrownBy(() -> validate(cert, rogueCa)).isInstanceOf(CertPathValidatorException.class);
    // Two certificates of one CA never share a serial number.
    assertThat(read(pki.issue("other").cert()).getSerialNumber()).isNotEqualTo(cert.getSerialNumber());
  }

  @Test
  void certificatesNameLoopbackByDefaultOrTheGivenNames() throws Exception {
    Pki pki = new Pki(dir, "ca");
    // Types as in X.509: 2 is a DNS name, 7 an IP address.
    assertThat(subjectAltNames(read(pki.issue("local").cert()))).containsExactlyInAnyOrder("7:127.0.0.1", "2:localhost");
    assertThat(subjectAltNames(read(pki.issue("remote", List.of("node-1.example.com", "10.0.0.7", "::1")).cert())))
        .containsExactlyInAnyOrder("2:node-1.example.com", "7:10.0.0.7", "7:0:0:0:0:0:0:0:1");
    assertThat(subjectAltNames(read(pki.issue("operator", List.of()).cert()))).isEmpty();
    assertThatThrownBy(() -> pki.issue("../escape")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("certificate name");
  }

  @Test
  void privateKeysAreReadableByTheirOwnerOnlyAndTheCaKeyIsNotWritten() throws Exception {
    Pki pki = new Pki(dir, "ca");
    Pki.Issued issued = pki.issue("daemon");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(issued.key()))).isEqualTo("rw-------");
    assertThat(Files.readString(issued.key())).startsWith("-----BEGIN PRIVATE KEY-----"); // PKCS#8
    // Issuing again under the same name replaces the files, still private.
    Pki.Issued again = pki.issue("daemon");
    assertThat(again).isEqualTo(issued);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(again.key()))).isEqualTo("rw-------");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ca.pem", "daemon.pem",
          "daemon.key");
    }
  }

  @Test
  void theFilesAreWhatTlsSettingsLoads() throws Exception {
    Pki pki = new Pki(dir, "ca");
    Pki.Issued issued = pki.issue("daemon");
    TlsSettings tls = new TlsSettings(true, issued.cert(), issued.key(), pki.caPath(), TlsSettings.ClientAuthMode.REQUIRE);
    assertThat(tls.serverContext().isServer()).isTrue();
    assertThat(tls.clientContext().isClient()).isTrue();
  }
}
