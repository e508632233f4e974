package io.feitian.client.cli;

import io.feitian.client.cli.dayu.DayuCommand;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The feitian operator CLI. */
@Command(name = "feitian", mixinStandardHelpOptions = true, version = "feitian 0.1.0",
    description = "Operate a Feitian cluster.",
    subcommands = {ClusterCommand.class, NodeCommand.class, AppCommand.class, QuotaCommand.class,
        BlacklistCommand.class, GrantCommand.class, WatchCommand.class, EventsCommand.class, AlertsCommand.class, TopCommand.class, DayuCommand.class,
        LocalCommand.class, CommandLine.HelpCommand.class})
public final class FeitianCli {
  public static void main(String[] args) {
    CliLogging.toStderr();
    System.exit(run(args));
  }

  /** Runs a command line; returns the exit code (0 ok, 1 operation failed, 2 usage error). */
  public static int run(String... args) {
    return run(System.out, System.err, args);
  }

  /** Runs a command line printing to {@code out} and {@code err} (tests capture them); returns the exit code. */
  public static int run(PrintStream out, PrintStream err, String... args) {
    CommandLine cli = new CommandLine(new FeitianCli());
    // Modules on the classpath add their own commands (the job-master module adds `job`).
    for (CliExtension e : ServiceLoader.load(CliExtension.class)) {
      e.register(cli);
    }
    PrintWriter outWriter = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
    PrintWriter errWriter = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
    try {
      return cli.setOut(outWriter).setErr(errWriter).setExecutionExceptionHandler(new Failures()).execute(args);
    } finally {
      outWriter.flush();
      errWriter.flush();
    }
  }
}
