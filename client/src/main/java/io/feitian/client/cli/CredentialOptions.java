package io.feitian.client.cli;

import io.feitian.common.security.SecuritySettings;
import io.feitian.common.security.TlsSettings;
import java.io.File;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The credentials a command presents: a bearer token (or a file holding it) and TLS material. */
public final class CredentialOptions {
  @Option(names = "--token", defaultValue = "${env:FEITIAN_TOKEN}", description = "Bearer token; env FEITIAN_TOKEN.")
  String token;

  @Option(names = "--token-file", paramLabel = "FILE", defaultValue = "${env:FEITIAN_TOKEN_FILE}",
      description = "File holding the bearer token (wins over --token); env FEITIAN_TOKEN_FILE.")
  Path tokenFile;

  @Option(names = "--tls-ca", description = "CA certificate (PEM) to trust; turns TLS on.")
  File tlsCa;

  @Option(names = "--tls-cert", description = "Client certificate (PEM), for mutual TLS.")
  File tlsCert;

  @Option(names = "--tls-key", description = "Client private key (PKCS#8 PEM), for mutual TLS.")
  File tlsKey;

  /** Whether any credential was given (a CA or a token). */
  boolean given() {
    return tlsCa != null || tokenFile != null || (token != null && !token.isBlank());
  }

  /** The token given: read from --token-file if named, else --token; empty when neither. */
  public Optional<String> token() {
    return Optional.ofNullable(tokenFile != null ? SecuritySettings.readToken(tokenFile) : token)
        .filter(t -> !t.isBlank());
  }

  /** TLS with the given CA (and client certificate for mutual TLS), or none without --tls-ca. */
  public TlsSettings tls() {
    return tlsCa == null ? TlsSettings.DISABLED : TlsSettings.client(tlsCa, tlsCert, tlsKey);
  }

  /** What a client channel presents (common's {@code Channels.open}). */
  public SecuritySettings security() {
    return SecuritySettings.client(tls(), token());
  }
}
