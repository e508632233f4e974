package io.feitian.client.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.client.ClusterTarget;
import io.feitian.common.config.ConfigLoader;
import io.feitian.common.security.Principal;
import io.feitian.common.security.Role;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.security.TokenStore;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What `local up --secure` writes under DIR/secure, and what its daemons are started with (nothing is started). */
class LocalSecretsTest {
  @TempDir
  Path dir;

  LocalCluster cluster(boolean secure) {
    return new LocalCluster(new LocalCluster.Layout(dir, 2181, 7100, 7200, 2, 3, 4000, 4096),
        new PrintStream(OutputStream.nullOutputStream()), secure);
  }

  static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  /** The configuration a daemon builds from its `--set key=value` arguments. */
  static Map<String, String> settings(List<String> args) {
    Map<String, String> set = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i += 2) {
      assertThat(args.get(i)).isEqualTo("--set");
      String kv = args.get(i + 1);
      set.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
    }
    return set;
  }

  @Test
  void aSecureClusterHasItsCaCertificatesTokensAndClientFileUnderSecure() throws Exception {
    LocalCluster cluster = cluster(true);
    cluster.prepare();
    Path secure = dir.resolve("secure");
    assertThat(mode(secure)).isEqualTo("rwx------");
    try (var files = Files.list(secure)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ca.pem", "daemon.pem",
          "daemon.key", "operator.pem", "operator.key", "tokens", "daemon.token", "operator.token", "alice.token",
          "viewer.token", "client.conf");
    }
    for (String secret : List.of("daemon.key", "operator.key", "tokens", "daemon.token", "operator.token",
        "alice.token", "viewer.token")) {
      assertThat(mode(secure.resolve(secret))).as(secret).isEqualTo("rw-------");
    }

    // Each token file holds one token of the tokens file, with the role and name it is documented with.
    TokenStore store = TokenStore.parse(secure.resolve("tokens"));
    Map<String, Principal> expected = Map.of("daemon.token", new Principal("daemons", Role.ADMIN),
        "operator.token", new Principal("operator", Role.ADMIN), "alice.token", new Principal("alice", Role.USER),
        "viewer.token", new Principal("viewer", Role.READER));
    List<String> tokens = new ArrayList<>();
    for (var e : expected.entrySet()) {
      String token = SecuritySettings.readToken(secure.resolve(e.getKey()));
      assertThat(token).hasSize(43).matches("[A-Za-z0-9_-]+");
      assertThat(store.lookup(token)).as(e.getKey()).contains(e.getValue());
      tokens.add(token);
    }
    assertThat(tokens).doesNotHaveDuplicates();

    LocalCredentials c = LocalCredentials.find(dir).orElseThrow();
    assertThat(c).isEqualTo(cluster.credentials().orElseThrow());
    assertThat(c.ca()).isEqualTo(secure.resolve("ca.pem"));
    assertThat(c.cert()).isEqualTo(secure.resolve("operator.pem"));
    assertThat(c.key()).isEqualTo(secure.resolve("operator.key"));
    assertThat(c.tokenFile()).isEqualTo(secure.resolve("operator.token"));
    assertThat(c.reaches(ClusterTarget.parse("zk://127.0.0.1:2181", "local"))).isTrue();
    assertThat(c.reaches(ClusterTarget.parse("127.0.0.1:2181", "local"))).isTrue();
    assertThat(c.reaches(ClusterTarget.parse("master://127.0.0.1:7101", "local"))).isTrue();
    assertThat(c.reaches(ClusterTarget.parse("zk://127.0.0.1:2181", "prod"))).isFalse();
    assertThat(c.reaches(ClusterTarget.parse("zk://10.1.2.3:2181", "local"))).isFalse();
    assertThat(c.reaches(ClusterTarget.parse("master://127.0.0.1:7100,10.1.2.3:7100", "local"))).isFalse();
    assertThat(Files.readString(secure.resolve("client.conf"))).doesNotContain(tokens);
  }

  @Test
  void daemonsGetPathsToTheirSecuritySettingsAndNoSecret() throws Exception {
    LocalCluster cluster = cluster(true);
    cluster.prepare();
    Path secure = dir.resolve("secure");
    String daemonToken = SecuritySettings.readToken(secure.resolve("daemon.token"));
    List<String> tokens = Files.readAllLines(secure.resolve("tokens")).stream()
        .filter(l -> !l.startsWith("#")).map(l -> l.split(" ")[0]).toList();
    assertThat(tokens).hasSize(4);

    for (List<String> args : List.of(cluster.masterArgs(1), cluster.masterArgs(2), cluster.workerArgs(1),
        cluster.workerArgs(3))) {
      for (String arg : args) {
        for (String token : tokens) {
          assertThat(arg).doesNotContain(token);
        }
      }
      Map<String, String> set = settings(args);
      assertThat(set).containsEntry("feitian.security.tls.enabled", "true")
          .containsEntry("feitian.security.tls.client-auth", "require")
          .containsEntry("feitian.security.tls.cert", secure.resolve("daemon.pem").toString())
          .containsEntry("feitian.security.tls.key", secure.resolve("daemon.key").toString())
          .containsEntry("feitian.security.tls.ca", secure.resolve("ca.pem").toString())
          .containsEntry("feitian.security.auth.enabled", "true")
          .containsEntry("feitian.security.auth.tokens-file", secure.resolve("tokens").toString())
          .containsEntry("feitian.security.token-file", secure.resolve("daemon.token").toString())
          .doesNotContainKey("feitian.security.token");
      // What the daemon makes of them: TLS with client certificates, every token accepted, the daemons' token presented.
      SecuritySettings security = SecuritySettings.from(ConfigLoader.load(null, set));
      assertThat(security.tls().enabled()).isTrue();
      assertThat(security.tls().serverContext().isServer()).isTrue();
      assertThat(security.token()).contains(daemonToken);
      assertThat(security.tokens().orElseThrow().lookup(daemonToken))
          .contains(new Principal("daemons", Role.ADMIN));
    }
  }

  @Test
  void everyStartMakesNewSecretsAndAPlainClusterRemovesThem() throws Exception {
    cluster(true).prepare();
    String first = Files.readString(dir.resolve("secure/operator.token"));
    String firstCa = Files.readString(dir.resolve("secure/ca.pem"));
    cluster(true).prepare();
    assertThat(Files.readString(dir.resolve("secure/operator.token"))).isNotEqualTo(first);
    assertThat(Files.readString(dir.resolve("secure/ca.pem"))).isNotEqualTo(firstCa);

    LocalCluster plain = cluster(false);
    plain.prepare();
    assertThat(dir.resolve("secure")).doesNotExist();
    assertThat(LocalCredentials.find(dir)).isEmpty();
    assertThat(plain.credentials()).isEmpty();
    assertThat(settings(plain.masterArgs(1))).doesNotContainKeys("feitian.security.tls.enabled",
        "feitian.security.token-file");
  }
}
