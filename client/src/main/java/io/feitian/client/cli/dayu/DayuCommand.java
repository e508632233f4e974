package io.feitian.client.cli.dayu;

import picocli.CommandLine.Command;

/**
 * {@code feitian dayu}: dayu-server's configuration database (clusters, nodes, modules and their
 * release packages, parameters) and rollouts. See docs/DAYU.md, "The feitian dayu CLI".
 */
@Command(name = "dayu", description = "Dayu: clusters and their nodes, modules and their packages, parameters,"
    + " rollouts.",
    subcommands = {ClustersCommand.class, NodesCommand.class, InfoCommand.class, ModulesCommand.class, ParamsCommand.class,
        RolloutStarts.Deploy.class, RolloutStarts.Upgrade.class, RolloutStarts.ScaleOut.class,
        RolloutStarts.ScaleIn.class, RolloutStarts.Rollback.class, RolloutCommands.Pause.class,
        RolloutCommands.Resume.class, RolloutCommands.Abort.class, RolloutCommands.Approve.class,
        RolloutCommands.Status.class, RolloutCommands.History.class})
public final class DayuCommand {}
