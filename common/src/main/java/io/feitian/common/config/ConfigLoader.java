package io.feitian.common.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Loads a daemon's effective configuration. Priority, lowest first: the
 * {@code reference.conf} files on the classpath, the operator's file, the
 * {@code FEITIAN_*} variables that reference.conf names, {@code CONFIG_FORCE_*}
 * variables for any key, then {@code -D} system properties.
 */
public final class ConfigLoader {
  private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(token|password|secret|key)$");

  private ConfigLoader() {}

  /** Loads with an optional operator file; a named file that does not exist is an error. */
  public static Config load(Path file) {
    return load(file, Map.of());
  }

  /** As {@link #load(Path)}, with overrides (e.g. from command-line flags) on top of everything. */
  public static Config load(Path file, Map<String, ?> overrides) {
    Config fromFile = ConfigFactory.empty();
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("config file not found: " + file);
      }
      fromFile = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
    }
    Config flags = ConfigFactory.empty();
    for (Map.Entry<String, ?> e : overrides.entrySet()) {
      flags = flags.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(e.getValue()));
    }
    Config layered = flags
        .withFallback(ConfigFactory.systemProperties())
        .withFallback(ConfigFactory.systemEnvironmentOverrides())
        .withFallback(fromFile)
        .withFallback(ConfigFactory.defaultReference());
    Config resolved = layered.resolve();
    resolved.checkValid(ConfigFactory.defaultReference(), "feitian");
    return resolved;
  }

  /**
   * The effective configuration under {@code feitian} and the given
   * daemon sections (e.g. "fuxi"), as HOCON, with secrets masked.
   */
  public static String render(Config config, String... sections) {
    Config ours = config.withOnlyPath("feitian");
    for (String section : sections) {
      if (config.hasPath(section)) {
        ours = ours.withFallback(config.withOnlyPath(section));
      }
    }
    for (Map.Entry<String, ?> e : ours.entrySet()) {
      String key = e.getKey();
      if (SECRET_KEY.matcher(key).matches() && !key.endsWith("-file") && !ours.getString(key).isEmpty()
          && !key.endsWith("tls.key")) {
        ours = ours.withValue(key, ConfigValueFactory.fromAnyRef("<redacted>"));
      }
    }
    return ours.root().render(ConfigRenderOptions.defaults().setOriginComments(false).setJson(false));
  }
}
