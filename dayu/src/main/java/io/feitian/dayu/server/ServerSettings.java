package io.feitian.dayu.server;

import com.typesafe.config.Config;

/**
 * {@code dayu.server} of the configuration: where the operator API listens, and the largest release
 * package it takes.
 */
public record ServerSettings(String bind, int port, long maxPackageBytes) {

  public ServerSettings {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("dayu.server.port must be between 0 and 65535, got " + port);
    }
    if (maxPackageBytes <= 0) {
      throw new IllegalArgumentException("dayu.server.max-package-size must be positive, got " + maxPackageBytes);
    }
  }

  public static ServerSettings from(Config config) {
    Config s = config.getConfig("dayu.server");
    return new ServerSettings(s.getString("bind"), s.getInt("port"), s.getBytes("max-package-size"));
  }
}
