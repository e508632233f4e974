package io.feitian.client.cli;

import io.feitian.client.ClusterTarget;
import io.feitian.client.FeitianClient;
import io.feitian.client.local.LocalCredentials;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.security.TlsSettings;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * How every command names and reaches the cluster. Credentials come from the
 * options (or their environment variables); when none is given and the
 * cluster is a local one started with {@code local up --secure}, from the
 * credentials file it left ({@link LocalCredentials}).
 */
final class ClusterOptions {
  @Option(names = {"-c", "--cluster"}, paramLabel = "ADDRESS",
      defaultValue = "${env:FEITIAN_CLUSTER_ADDRESS:-zk://127.0.0.1:2181}",
      description = "ZooKeeper connect string (zk://host:port,...) or fuxi-master addresses (master://host:port,...);"
          + " env FEITIAN_CLUSTER_ADDRESS; default ${DEFAULT-VALUE} (the local cluster).")
  String address;

  @Option(names = "--cluster-name", defaultValue = "${env:FEITIAN_CLUSTER:-local}",
      description = "Cluster name under the ZooKeeper root; env FEITIAN_CLUSTER; default ${DEFAULT-VALUE}.")
  String clusterName;

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

  @Option(names = "--json", description = "Print JSON for scripts.")
  boolean json;

  FeitianClient connect() {
    ClusterTarget target = ClusterTarget.parse(address, clusterName);
    return new FeitianClient(target, options(target, LocalCommand.defaultDir()));
  }

  /**
   * The client options for {@code target}: the credentials given, or, when
   * neither a CA nor a token is given, those of the secured local cluster in
   * {@code localDir} if {@code target} is that cluster.
   */
  FeitianClient.Options options(ClusterTarget target, Path localDir) {
    // Long enough to ride out a leader failover, short enough for a person at a dead cluster.
    FeitianClient.Options options = FeitianClient.Options.defaults().withRetryWindow(Duration.ofSeconds(5));
    boolean given = tlsCa != null || tokenFile != null || (token != null && !token.isBlank());
    Optional<LocalCredentials> local = given ? Optional.empty()
        : LocalCredentials.find(localDir).filter(c -> c.reaches(target));
    if (local.isPresent()) {
      return local.get().applyTo(options);
    }
    options = options.withToken(tokenFile != null ? SecuritySettings.readToken(tokenFile) : token);
    if (tlsCa != null) {
      options = options.withTls(TlsSettings.client(tlsCa, tlsCert, tlsKey));
    }
    return options;
  }
}
