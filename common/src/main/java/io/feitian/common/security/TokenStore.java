package io.feitian.common.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Bearer tokens and the principal each one stands for, read from a file with
 * one {@code <token> <role> <name>} per line. Lookups compare in constant time
 * per entry so the time taken does not reveal a token prefix.
 */
public final class TokenStore {
  private final Map<String, Principal> byToken;

  public TokenStore(Map<String, Principal> byToken) {
    this.byToken = Map.copyOf(byToken);
  }

  public static TokenStore parse(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tokens file " + file, e);
    }
    Map<String, Principal> tokens = new HashMap<>();
    int lineNo = 0;
    for (String raw : lines) {
      lineNo++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+");
      if (parts.length != 3) {
        throw new IllegalArgumentException(
            file + ":" + lineNo + ": expected '<token> <role> <name>', got " + parts.length + " fields");
      }
      if (parts[0].length() < 16) {
        throw new IllegalArgumentException(file + ":" + lineNo + ": token shorter than 16 characters");
      }
      Role role;
      try {
        role = Role.parse(parts[1]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ":" + lineNo + ": " + e.getMessage(), e);
      }
      if (tokens.put(parts[0], new Principal(parts[2], role)) != null) {
        throw new IllegalArgumentException(file + ":" + lineNo + ": duplicate token");
      }
    }
    if (tokens.isEmpty()) {
      throw new IllegalArgumentException("tokens file " + file + " holds no token");
    }
    return new TokenStore(tokens);
  }

  public Optional<Principal> lookup(String token) {
    byte[] presented = token.getBytes(StandardCharsets.UTF_8);
    Principal found = null;
    for (Map.Entry<String, Principal> e : byToken.entrySet()) {
      if (MessageDigest.isEqual(presented, e.getKey().getBytes(StandardCharsets.UTF_8))) {
        found = e.getValue();
      }
    }
    return Optional.ofNullable(found);
  }
}
