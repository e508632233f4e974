package io.feitian.client.cli;

import io.feitian.client.ClusterTarget;
import io.feitian.client.FeitianClient;
import io.feitian.common.security.TlsSettings;
import java.io.File;
import picocli.CommandLine.Option;

/** How every command names and reaches the cluster. */
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

  @Option(names = "--tls-ca", description = "CA certificate (PEM) to trust; turns TLS on.")
  File tlsCa;

  @Option(names = "--tls-cert", description = "Client certificate (PEM), for mutual TLS.")
  File tlsCert;

  @Option(names = "--tls-key", description = "Client private key (PKCS#8 PEM), for mutual TLS.")
  File tlsKey;

  @Option(names = "--json", description = "Print JSON for scripts.")
  boolean json;

  FeitianClient connect() {
    // Long enough to ride out a leader failover, short enough for a person at a dead cluster.
    FeitianClient.Options options = FeitianClient.Options.defaults().withToken(token)
        .withRetryWindow(java.time.Duration.ofSeconds(5));
    if (tlsCa != null) {
      options = options.withTls(TlsSettings.client(tlsCa, tlsCert, tlsKey));
    }
    return new FeitianClient(ClusterTarget.parse(address, clusterName), options);
  }
}
