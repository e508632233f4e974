package io.feitian.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.client.ClusterTarget;
import io.feitian.client.FeitianClient;
import io.feitian.client.local.LocalCredentials;
import io.feitian.common.security.TlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/** Where the CLI's credentials come from: options, token files, or a secured local cluster's client.conf. */
class ClusterOptionsTest {
  @TempDir
  Path dir;

  Path local;
  LocalCredentials credentials;

  /** A command with the cluster options, parsed but never run. */
  static final class Parsed {
    @Mixin
    ClusterOptions cluster;
  }

  /** What a command given {@code args} would connect with, the local cluster being in {@code local}. */
  FeitianClient.Options options(String... args) {
    Parsed p = new Parsed();
    new CommandLine(p).parseArgs(args);
    return p.cluster.options(ClusterTarget.parse(p.cluster.address, p.cluster.clusterName), local);
  }

  /** A client.conf as `local up --secure` writes it, with files that exist. */
  @BeforeEach
  void secureLocalCluster() throws Exception {
    local = dir.resolve("local");
    Path secure = Files.createDirectories(local.resolve("secure"));
    for (String f : List.of("ca.pem", "operator.pem", "operator.key")) {
      Files.writeString(secure.resolve(f), "pem");
    }
    Files.writeString(secure.resolve("operator.token"), "operator-token-0123456789\n");
    credentials = new LocalCredentials("127.0.0.1:2181", List.of("127.0.0.1:7100", "127.0.0.1:7101"),
        secure.resolve("ca.pem"), secure.resolve("operator.pem"), secure.resolve("operator.key"),
        secure.resolve("operator.token"));
    credentials.write(LocalCredentials.file(local));
  }

  @Test
  void theLocalClusterIsReachedWithTheCredentialsItLeft() {
    for (String[] args : List.of(new String[0], new String[] {"--cluster", "zk://127.0.0.1:2181"},
        new String[] {"-c", "master://127.0.0.1:7101"})) {
      FeitianClient.Options o = options(args);
      assertThat(o.tls()).as(String.join(" ", args))
          .isEqualTo(TlsSettings.client(credentials.ca().toFile(), credentials.cert().toFile(),
              credentials.key().toFile()));
      assertThat(o.token()).contains("operator-token-0123456789");
    }
  }

  @Test
  void anotherClusterOrCredentialsGivenAreNotTheLocalOnes() throws Exception {
    FeitianClient.Options other = options("--cluster", "zk://10.1.2.3:2181");
    assertThat(other.tls()).isEqualTo(TlsSettings.DISABLED);
    assertThat(other.token()).isEmpty();
    assertThat(options("--cluster-name", "prod").tls()).isEqualTo(TlsSettings.DISABLED);

    FeitianClient.Options token = options("--token", "given-token-0123456789");
    assertThat(token.tls()).isEqualTo(TlsSettings.DISABLED);
    assertThat(token.token()).contains("given-token-0123456789");

    Path ca = Files.writeString(dir.resolve("other-ca.pem"), "pem");
    FeitianClient.Options tls = options("--tls-ca", ca.toString());
    assertThat(tls.tls().ca()).isEqualTo(ca);
    assertThat(tls.token()).isEmpty();

    // A token file wins over --token.
    Path file = Files.writeString(dir.resolve("my.token"), "  from-a-file-0123456789\n");
    FeitianClient.Options fromFile = options("--token-file", file.toString(), "--token", "given-token-0123456789");
    assertThat(fromFile.token()).contains("from-a-file-0123456789");
    assertThat(fromFile.tls()).isEqualTo(TlsSettings.DISABLED);
  }

  @Test
  void withoutClientConfTheLocalClusterIsReachedPlainly() throws Exception {
    Files.delete(LocalCredentials.file(local));
    FeitianClient.Options o = options();
    assertThat(o.tls()).isEqualTo(TlsSettings.DISABLED);
    assertThat(o.token()).isEmpty();
  }

  @Test
  void anUnreadableTokenFileOrClientConfIsAnErrorNamingTheFile() throws Exception {
    // IllegalArgumentException: the CLI prints its message and exits 2.
    Path missing = dir.resolve("missing.token");
    assertThatThrownBy(() -> options("--token-file", missing.toString()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot read the token file")
        .hasMessageContaining(missing.toString());
    Files.writeString(LocalCredentials.file(local), "zookeeper = \"127.0.0.1:2181\"\n");
    assertThatThrownBy(() -> options())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(LocalCredentials.file(local).toString())
        .hasMessageContaining("start the local cluster again");
  }
}
