package io.feitian.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * The certificates a Chromium on Linux uses, set up as an operator's would be: the NSS database
 * in {@code $HOME/.pki/nssdb} (where Chromium reads them) trusting a CA for servers and holding a
 * client certificate with its key, written with Debian's {@code certutil} and {@code pk12util}
 * (package libnss3-tools, installed when missing). A headless Chromium cannot show the dialog
 * in which a person picks a client certificate: the profile's preferences name the one to
 * present ({@code auto_select_certificate}, what the AutoSelectCertificateForUrls policy sets,
 * here for this profile only instead of every Chromium on the machine).
 */
final class BrowserCertificates {
  static final Path CERTUTIL = Path.of("/usr/bin/certutil");
  static final Path PK12UTIL = Path.of("/usr/bin/pk12util");
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);

  private BrowserCertificates() {}

  /** Makes an empty NSS database (no password) in {@code home}'s {@code .pki/nssdb}; returns its {@code sql:} name. */
  static String database(Path home) {
    DebianPackages.ensure(CERTUTIL, "libnss3-tools");
    DebianPackages.ensure(PK12UTIL, "libnss3-tools");
    Path db = home.resolve(".pki").resolve("nssdb");
    try {
      Files.createDirectories(db);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make " + db, e);
    }
    String name = "sql:" + db;
    Commands.run(List.of(CERTUTIL.toString(), "-N", "-d", name, "--empty-password"), TOOL_TIMEOUT);
    return name;
  }

  /** Trusts the CA whose certificate is the PEM file {@code caPem} to identify servers ({@code C,,}). */
  static void trust(String database, Path caPem) {
    Commands.run(List.of(CERTUTIL.toString(), "-A", "-d", database, "-n", "trusted-ca-" + UUID.randomUUID(),
        "-t", "C,,", "-a", "-i", caPem.toString()), TOOL_TIMEOUT);
  }

  /**
   * Imports the certificate {@code certPem} (PEM) with its key {@code keyPem} (unencrypted PKCS#8
   * PEM, "BEGIN PRIVATE KEY", as the project's Pki writes it) and has the profile {@code profile}
   * present it to every server that asks for one.
   */
  static void present(String database, Path profile, Path certPem, Path keyPem) {
    X509Certificate cert = certificate(certPem);
    String password = UUID.randomUUID().toString();
    Path p12 = profile.resolveSibling("client.p12");
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("client", privateKey(keyPem, cert.getPublicKey().getAlgorithm()), password.toCharArray(),
          new Certificate[] {cert});
      try (OutputStream out = Files.newOutputStream(p12)) {
        store.store(out, password.toCharArray());
      }
      Commands.run(List.of(PK12UTIL.toString(), "-i", p12.toString(), "-d", database, "-W", password), TOOL_TIMEOUT);
      Path prefs = Files.createDirectories(profile.resolve("Default")).resolve("Preferences");
      Files.writeString(prefs, "{\"profile\":{\"content_settings\":{\"exceptions\":{\"auto_select_certificate\":"
          + "{\"*,*\":{\"setting\":{\"filters\":[{\"ISSUER\":{\"CN\":" + json(commonName(cert.getIssuerX500Principal()))
          + "},\"SUBJECT\":{\"CN\":" + json(commonName(cert.getSubjectX500Principal())) + "}}]}}}}}}}");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the client certificate's files for " + profile, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read the client certificate " + certPem + " with key " + keyPem, e);
    } finally {
      try {
        Files.deleteIfExists(p12);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete " + p12, e);
      }
    }
  }

  private static X509Certificate certificate(Path pem) {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + pem, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(pem + " is not a PEM certificate", e);
    }
  }

  private static PrivateKey privateKey(Path pem, String algorithm) throws IOException, GeneralSecurityException {
    String text = Files.readString(pem);
    String begin = "-----BEGIN PRIVATE KEY-----";
    String end = "-----END PRIVATE KEY-----";
    int from = text.indexOf(begin);
    int to = text.indexOf(end);
    if (from < 0 || to < from) {
      throw new IllegalArgumentException(pem + " is not an unencrypted PKCS#8 PEM key (" + begin + ")");
    }
    byte[] der = Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
  }

  private static String commonName(X500Principal name) {
    try {
      for (Rdn rdn : new LdapName(name.getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return rdn.getValue().toString();
        }
      }
    } catch (InvalidNameException e) {
      throw new IllegalArgumentException("cannot parse " + name, e);
    }
    throw new IllegalArgumentException("the client certificate's names need a CN (common name), got " + name);
  }

  private static String json(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
