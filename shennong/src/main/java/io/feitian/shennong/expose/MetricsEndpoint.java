package io.feitian.shennong.expose;

import com.typesafe.config.Config;
import io.feitian.common.security.SecuritySettings;
import java.util.Optional;
import java.util.function.Supplier;

/** Where a daemon serves /metrics ({@code <section>.metrics.bind} and {@code .port}; port -1: nowhere). */
public record MetricsEndpoint(String bind, int port) {
  public MetricsEndpoint {
    if (port < -1 || port > 65535) {
      throw new IllegalArgumentException("metrics.port must be -1 (off), 0 (any) or a port, got " + port);
    }
  }

  public static MetricsEndpoint from(Config config, String section) {
    Config m = config.getConfig(section + ".metrics");
    try {
      return new MetricsEndpoint(m.getString("bind"), m.getInt("port"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(section + "." + e.getMessage(), e);
    }
  }

  /** The started server, or empty when the endpoint is off. */
  public Optional<MetricsHttpServer> start(Supplier<byte[]> metrics, SecuritySettings security) {
    return port < 0 ? Optional.empty() : Optional.of(new MetricsHttpServer(bind, port, metrics, security).start());
  }
}
