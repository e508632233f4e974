package io.feitian.client.cli;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Durations as the configuration files write them: 500ms, 10s, 1m, 2h. */
public final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      return ConfigFactory.empty().withValue("d", ConfigValueFactory.fromAnyRef(value)).getDuration("d");
    } catch (ConfigException e) {
      throw new TypeConversionException("'" + value + "' is not a duration (e.g. 500ms, 10s, 1m)");
    }
  }
}
