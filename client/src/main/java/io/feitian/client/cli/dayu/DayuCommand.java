package io.feitian.client.cli.dayu;

import picocli.CommandLine.Command;

/**
 * {@code feitian dayu}: dayu-server's configuration database (clusters, nodes, modules and their
 * release packages, parameters). Rollouts are not here yet. See docs/DAYU.md, "The feitian dayu CLI".
 */
@Command(name = "dayu", description = "Dayu: clusters and their nodes, modules and their packages, parameters.",
    subcommands = {ClustersCommand.class, NodesCommand.class, ModulesCommand.class, ParamsCommand.class})
public final class DayuCommand {}
