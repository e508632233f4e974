package io.feitian.dayu.server;

import com.typesafe.config.Config;
import io.feitian.common.grpc.Advertised;

/**
 * {@code dayu.server} of the configuration: where the operator API listens, the largest release
 * package it takes, whether it is elected through ZooKeeper (with a standby) and at which address
 * it is then advertised, and where the web UI listens ({@code http.port} -1: no web UI).
 */
public record ServerSettings(String bind, int port, long maxPackageBytes, boolean election, String advertise,
    String httpBind, int httpPort) {

  public ServerSettings {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("dayu.server.port must be between 0 and 65535, got " + port);
    }
    if (maxPackageBytes <= 0) {
      throw new IllegalArgumentException("dayu.server.max-package-size must be positive, got " + maxPackageBytes);
    }
    if (httpPort < -1 || httpPort > 65535) {
      throw new IllegalArgumentException("dayu.server.http.port must be -1 (off) or between 0 and 65535, got "
          + httpPort);
    }
  }

  public static ServerSettings from(Config config) {
    Config s = config.getConfig("dayu.server");
    return new ServerSettings(s.getString("bind"), s.getInt("port"), s.getBytes("max-package-size"),
        s.getBoolean("election"), s.getString("advertise"), s.getString("http.bind"), s.getInt("http.port"));
  }

  public Advertised advertised(int actualPort, String zkConnect) {
    return Advertised.choose("dayu.server.advertise", advertise, bind, actualPort, zkConnect);
  }
}
