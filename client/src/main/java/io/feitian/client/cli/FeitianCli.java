package io.feitian.client.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The feitian operator CLI. */
@Command(name = "feitian", mixinStandardHelpOptions = true, version = "feitian 0.1.0",
    description = "Operate a Feitian cluster.",
    subcommands = {ClusterCommand.class, AppCommand.class, QuotaCommand.class, BlacklistCommand.class,
        GrantCommand.class, LocalCommand.class, CommandLine.HelpCommand.class})
public final class FeitianCli {
  public static void main(String[] args) {
    CliLogging.toStderr();
    System.exit(run(args));
  }

  /** Runs a command line; returns the exit code (0 ok, 1 operation failed, 2 usage error). */
  public static int run(String... args) {
    return new CommandLine(new FeitianCli())
        .setExecutionExceptionHandler(new Failures())
        .execute(args);
  }
}
