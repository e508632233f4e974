package io.feitian.client.local;

import io.feitian.common.security.Pki;
import io.feitian.common.security.PrivateFiles;
import io.feitian.common.security.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The throwaway security of a local cluster started with {@code --secure},
 * all under {@code <dir>/secure} (mode 0700), made fresh at every start:
 * <ul>
 *   <li>{@code ca.pem}: a new CA; its key is never written;
 *   <li>{@code daemon.pem}/{@code daemon.key}: the daemons' certificate (127.0.0.1, localhost);
 *   <li>{@code operator.pem}/{@code operator.key}: the CLI's client certificate;
 *   <li>{@code tokens}: the tokens file the daemons accept, one token per {@link #TOKENS} entry,
 *       each token also alone in that entry's file ({@code daemon.token}, {@code operator.token}, ...);
 *   <li>{@code client.conf}: {@link LocalCredentials}, where the CLI finds the above.
 * </ul>
 * Keys and tokens are mode 0600. Daemons get paths only ({@link #daemonArgs}), never a secret.
 */
public final class LocalSecrets {
  static final String DIR = "secure";
  static final String TOKENS_FILE = "tokens";

  /** One token: who holds it, with which role, and the file that holds it alone. */
  public record Token(String name, Role role, String file) {}

  static final Token DAEMONS = new Token("daemons", Role.ADMIN, "daemon.token");
  static final Token OPERATOR = new Token("operator", Role.ADMIN, "operator.token");
  /** The daemons' own, the operator's (the CLI's), and one for each other role to try. */
  public static final List<Token> TOKENS = List.of(DAEMONS, OPERATOR,
      new Token("alice", Role.USER, "alice.token"),
      new Token("viewer", Role.READER, "viewer.token"));

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final Pki.Issued daemon;
  private final LocalCredentials credentials;

  private LocalSecrets(Path dir, Pki.Issued daemon, LocalCredentials credentials) {
    this.dir = dir;
    this.daemon = daemon;
    this.credentials = credentials;
  }

  /** Where the secrets of the local cluster in {@code clusterDir} are. */
  public static Path dir(Path clusterDir) {
    return clusterDir.resolve(DIR);
  }

  /** Replaces whatever {@code <dir>/secure} held with a new CA, certificates, tokens and client.conf. */
  static LocalSecrets create(LocalCluster.Layout layout) throws IOException {
    Path dir = dir(layout.dir());
    remove(layout.dir());
    PrivateFiles.createDirectory(dir);
    Pki pki = new Pki(dir, "feitian-local-ca");
    Pki.Issued daemon = pki.issue("daemon");
    Pki.Issued operator = pki.issue("operator", List.of());
    StringBuilder tokens = new StringBuilder("# <token> <role> <name>: written by `feitian local up --secure`\n");
    for (Token t : TOKENS) {
      String token = newToken();
      PrivateFiles.write(dir.resolve(t.file()), token + "\n");
      tokens.append(token).append(' ').append(t.role().name().toLowerCase()).append(' ').append(t.name()).append('\n');
    }
    PrivateFiles.write(dir.resolve(TOKENS_FILE), tokens.toString());
    List<String> masters = new ArrayList<>();
    for (int i = 0; i < layout.masters(); i++) {
      masters.add("127.0.0.1:" + (layout.masterPort() + i));
    }
    LocalCredentials credentials = new LocalCredentials(layout.zkConnect(), masters, pki.caPath(), operator.cert(),
        operator.key(), dir.resolve(OPERATOR.file()));
    credentials.write(dir.resolve(LocalCredentials.FILE));
    return new LocalSecrets(dir, daemon, credentials);
  }

  /** 32 random bytes, base64url: 43 characters. */
  static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Deletes {@code <dir>/secure}, so that nothing finds credentials of a cluster no longer running. */
  static void remove(Path clusterDir) {
    Path dir = dir(clusterDir);
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + dir, e);
    }
  }

  /**
   * The {@code --set} arguments that make a daemon (fuxi-master, task-worker)
   * serve mutual TLS, require tokens, and present the daemons' token: paths
   * only.
   */
  List<String> daemonArgs() {
    return List.of(
        "--set", "feitian.security.tls.enabled=true",
        "--set", "feitian.security.tls.cert=" + daemon.cert(),
        "--set", "feitian.security.tls.key=" + daemon.key(),
        "--set", "feitian.security.tls.ca=" + credentials.ca(),
        "--set", "feitian.security.tls.client-auth=require",
        "--set", "feitian.security.auth.enabled=true",
        "--set", "feitian.security.auth.tokens-file=" + dir.resolve(TOKENS_FILE),
        "--set", "feitian.security.token-file=" + dir.resolve(DAEMONS.file()));
  }

  Path dir() {
    return dir;
  }

  LocalCredentials credentials() {
    return credentials;
  }
}
