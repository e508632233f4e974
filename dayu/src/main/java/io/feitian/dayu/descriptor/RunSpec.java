package io.feitian.dayu.descriptor;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the module's process runs: its command line and environment (placeholders allowed), and the
 * systemd unit that runs it where systemd does; elsewhere the agent supervises the command itself.
 */
public record RunSpec(List<String> command, Map<String, String> environment, Optional<String> systemdUnit) {
  public RunSpec {
    command = List.copyOf(command);
    environment = Map.copyOf(environment);
  }
}
