package io.feitian.client.cli;

import picocli.CommandLine;

/**
 * Commands a module adds to the feitian CLI, found with
 * {@link java.util.ServiceLoader}: the client module does not depend on the
 * modules that know jobs or services; the distribution puts them all on the
 * CLI's classpath.
 */
public interface CliExtension {
  /** Adds subcommands to the root command. */
  void register(CommandLine root);
}
