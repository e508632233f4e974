package io.feitian.job.cli;

import io.feitian.client.cli.CliExtension;
import picocli.CommandLine;

/** Adds `feitian job` and `feitian local demo` to the CLI. */
public final class JobCliExtension implements CliExtension {
  @Override
  public void register(CommandLine root) {
    root.addSubcommand("job", new JobCommand());
    CommandLine local = root.getSubcommands().get("local");
    if (local != null) {
      local.addSubcommand("demo", new LocalDemo());
    }
  }
}
