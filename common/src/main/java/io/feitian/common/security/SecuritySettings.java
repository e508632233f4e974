package io.feitian.common.security;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The security configuration of one process: TLS for its server and its
 * channels, the tokens it accepts (when authentication is on), and the token
 * it presents to others.
 */
public record SecuritySettings(TlsSettings tls, Optional<TokenStore> tokens, Optional<String> token) {

  public static final SecuritySettings INSECURE =
      new SecuritySettings(TlsSettings.DISABLED, Optional.empty(), Optional.empty());

  public static SecuritySettings from(Config config) {
    Config sec = config.getConfig("feitian.security");
    Optional<TokenStore> tokens = Optional.empty();
    if (sec.getBoolean("auth.enabled")) {
      String file = sec.getString("auth.tokens-file");
      if (file.isBlank()) {
        throw new IllegalArgumentException(
            "feitian.security.auth.tokens-file must be set when feitian.security.auth.enabled is true");
      }
      tokens = Optional.of(TokenStore.parse(Path.of(file)));
    }
    String tokenFile = sec.getString("token-file");
    String token = sec.getString("token");
    if (!tokenFile.isBlank()) {
      try {
        token = readToken(Path.of(tokenFile));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("feitian.security.token-file: " + e.getMessage(), e);
      }
    }
    return new SecuritySettings(TlsSettings.from(config), tokens, token.isBlank() ? Optional.empty() : Optional.of(token));
  }

  /**
   * The token held in {@code file} (as feitian.security.token-file or the
   * CLI's --token-file name it), without surrounding white space.
   *
   * @throws IllegalArgumentException if the file cannot be read or holds no token
   */
  public static String readToken(Path file) {
    String token;
    try {
      token = Files.readString(file).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the token file " + file + ": " + e, e);
    }
    if (token.isEmpty()) {
      throw new IllegalArgumentException("the token file " + file + " is empty");
    }
    return token;
  }

  public Optional<BearerToken> credentials() {
    return token.map(BearerToken::new);
  }
}
