package io.feitian.client.cli;

import io.feitian.client.ClusterTarget;
import io.feitian.client.FeitianClient;
import io.feitian.client.local.LocalCredentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Mixin;
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

  @Mixin
  CredentialOptions credentials;

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
    Optional<LocalCredentials> local = credentials.given() ? Optional.empty()
        : LocalCredentials.find(localDir).filter(c -> c.reaches(target));
    if (local.isPresent()) {
      return local.get().applyTo(options);
    }
    return options.withToken(credentials.token().orElse(null)).withTls(credentials.tls());
  }
}
