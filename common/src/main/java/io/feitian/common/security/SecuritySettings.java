package io.feitian.common.security;

import com.typesafe.config.Config;
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
    String token = sec.getString("token");
    return new SecuritySettings(TlsSettings.from(config), tokens, token.isBlank() ? Optional.empty() : Optional.of(token));
  }

  public Optional<BearerToken> credentials() {
    return token.map(BearerToken::new);
  }
}
