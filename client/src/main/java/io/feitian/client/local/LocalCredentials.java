package io.feitian.client.local;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import io.feitian.client.ClusterTarget;
import io.feitian.client.FeitianClient;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.security.TlsSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the CLI reaches a secured local cluster: the file
 * {@code <local dir>/secure/client.conf} that {@code feitian local up --secure}
 * writes (HOCON), naming the cluster's addresses, the CA to trust, the
 * operator's certificate and key, and the file holding the operator's token.
 * It holds paths only, no secret.
 *
 * @param zookeeper the local ZooKeeper's connect string (the CLI's {@code zk://} address)
 * @param masters the fuxi-masters' addresses (the CLI's {@code master://} addresses)
 */
public record LocalCredentials(String zookeeper, List<String> masters, Path ca, Path cert, Path key, Path tokenFile) {
  public static final String FILE = "client.conf";

  public LocalCredentials {
    masters = List.copyOf(masters);
  }

  /** Where {@code local up --secure} from {@code localDir} leaves the file. */
  public static Path file(Path localDir) {
    return LocalSecrets.dir(localDir).resolve(FILE);
  }

  /** The credentials of the secured local cluster in {@code localDir}, if one was started there. */
  public static Optional<LocalCredentials> find(Path localDir) {
    Path file = file(localDir);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      Config c = ConfigFactory.parseFile(file.toFile()).resolve();
      return Optional.of(new LocalCredentials(c.getString("zookeeper"), c.getStringList("masters"),
          Path.of(c.getString("ca")), Path.of(c.getString("cert")), Path.of(c.getString("key")),
          Path.of(c.getString("token-file"))));
    } catch (ConfigException e) {
      throw new IllegalArgumentException(file + " is not a local cluster's credentials file (" + e.getMessage()
          + "); remove it, or start the local cluster again", e);
    }
  }

  /** Writes the credentials file (paths only: it need not be private). */
  public void write(Path file) throws IOException {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("zookeeper", zookeeper);
    values.put("masters", masters);
    values.put("ca", ca.toString());
    values.put("cert", cert.toString());
    values.put("key", key.toString());
    values.put("token-file", tokenFile.toString());
    String body = ConfigFactory.parseMap(values).root()
        .render(ConfigRenderOptions.defaults().setOriginComments(false).setJson(false));
    Files.writeString(file, "# Written by `feitian local up --secure`: the CLI uses these to reach that cluster.\n"
        + body);
  }

  /**
   * Whether {@code target} is this local cluster: its ZooKeeper (under the
   * local cluster's name) or some of its fuxi-masters, spelled as
   * {@code local up} printed them.
   */
  public boolean reaches(ClusterTarget target) {
    if (target instanceof ClusterTarget.ZooKeeper z) {
      return z.connect().equals(zookeeper) && z.clusterName().equals(LocalCluster.CLUSTER_NAME);
    }
    return target instanceof ClusterTarget.Masters m && masters.containsAll(m.addresses());
  }

  /** {@code options} with TLS (the local CA, the operator's certificate) and the operator's token. */
  public FeitianClient.Options applyTo(FeitianClient.Options options) {
    return options.withTls(TlsSettings.client(ca.toFile(), cert.toFile(), key.toFile()))
        .withToken(SecuritySettings.readToken(tokenFile));
  }
}
