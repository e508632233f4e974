package io.feitian.common.security;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The security configuration of one process, the one every server it runs and
 * every channel it opens uses: TLS for both, the tokens its servers accept
 * (when authentication is on), and the token it presents to others.
 *
 * @param tokensFile where {@code tokens} came from, handed on to child processes
 * @param tokenFile where {@code token} came from, if it came from a file
 */
public record SecuritySettings(TlsSettings tls, Optional<TokenStore> tokens, Optional<Path> tokensFile,
    Optional<String> token, Optional<Path> tokenFile) {

  public static final SecuritySettings INSECURE = new SecuritySettings(TlsSettings.DISABLED, Optional.empty(),
      Optional.empty(), Optional.empty(), Optional.empty());

  public static SecuritySettings from(Config config) {
    Config sec = config.getConfig("feitian.security");
    Optional<TokenStore> tokens = Optional.empty();
    Optional<Path> tokensFile = Optional.empty();
    if (sec.getBoolean("auth.enabled")) {
      String file = sec.getString("auth.tokens-file");
      if (file.isBlank()) {
        throw new IllegalArgumentException(
            "feitian.security.auth.tokens-file must be set when feitian.security.auth.enabled is true");
      }
      tokensFile = Optional.of(Path.of(file));
      tokens = Optional.of(TokenStore.parse(tokensFile.get()));
    }
    String tokenFile = sec.getString("token-file");
    if (!tokenFile.isBlank()) {
      Path path = Path.of(tokenFile);
      String token;
      try {
        token = readToken(path);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("feitian.security.token-file: " + e.getMessage(), e);
      }
      return new SecuritySettings(TlsSettings.from(config), tokens, tokensFile, Optional.of(token), Optional.of(path));
    }
    String token = sec.getString("token");
    return new SecuritySettings(TlsSettings.from(config), tokens, tokensFile,
        token.isBlank() ? Optional.empty() : Optional.of(token), Optional.empty());
  }

  /** What a client presents: TLS settings (or none) and a token (or none). */
  public static SecuritySettings client(TlsSettings tls, Optional<String> token) {
    return new SecuritySettings(tls, Optional.empty(), Optional.empty(), token, Optional.empty());
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
      token = Files.readString(file, StandardCharsets.UTF_8).strip();
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

  /**
   * The environment that gives a child process (an application master, a
   * worker) this process's security configuration, read back by
   * reference.conf: paths only, never a secret itself. A token that did not
   * come from a file is written to one (readable by this user only) in
   * {@code secretsDir}.
   */
  public Map<String, String> childEnvironment(Path secretsDir) {
    Map<String, String> env = new LinkedHashMap<>();
    if (tls.enabled()) {
      env.put("FEITIAN_TLS", "true");
      env.put("FEITIAN_TLS_CERT", tls.cert().toAbsolutePath().toString());
      env.put("FEITIAN_TLS_KEY", tls.key().toAbsolutePath().toString());
      env.put("FEITIAN_TLS_CA", tls.ca().toAbsolutePath().toString());
      env.put("FEITIAN_TLS_CLIENT_AUTH", tls.clientAuth().name().toLowerCase());
    }
    tokensFile.ifPresent(f -> {
      env.put("FEITIAN_AUTH", "true");
      env.put("FEITIAN_TOKENS_FILE", f.toAbsolutePath().toString());
    });
    token.ifPresent(t -> env.put("FEITIAN_TOKEN_FILE",
        tokenFile.orElseGet(() -> writeTokenFile(secretsDir, t)).toAbsolutePath().toString()));
    return env;
  }

  private static Path writeTokenFile(Path dir, String token) {
    try {
      PrivateFiles.createDirectory(dir);
      Path file = dir.resolve("token");
      Path tmp = dir.resolve("token.tmp");
      PrivateFiles.write(tmp, token);
      // Replaced in one step: a child starting meanwhile reads the old file or the new one.
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the token file for child processes in " + dir, e);
    }
  }
}
