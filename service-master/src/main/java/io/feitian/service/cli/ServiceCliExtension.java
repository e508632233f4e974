package io.feitian.service.cli;

import io.feitian.client.cli.CliExtension;
import picocli.CommandLine;

/** Adds `feitian service` and `feitian partition` to the CLI. */
public final class ServiceCliExtension implements CliExtension {
  @Override
  public void register(CommandLine root) {
    root.addSubcommand("service", new ServiceCommand());
    root.addSubcommand("partition", new PartitionCommand());
  }
}
