package io.feitian.service.cli;

import io.feitian.client.FeitianClient;
import io.feitian.client.cli.ClusterCommandBase;
import io.feitian.proto.service.v1.PartitionRecord;
import io.feitian.proto.service.v1.ServiceStatus;
import io.feitian.service.client.ServiceAdmins;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `feitian partition ...`: moves a service's partitions by hand. Each
 * command returns once the service-master has changed its table and told
 * the workers, and prints the partition's new record (the service's whole
 * status with --json); the partition is SERVING again once its worker confirms.
 */
@Command(name = "partition", description = "A service's partitions: load, unload, split, migrate.",
    subcommands = {PartitionCommand.Load.class, PartitionCommand.Unload.class, PartitionCommand.Split.class,
        PartitionCommand.Migrate.class})
public final class PartitionCommand {
  PartitionCommand() {}

  /**
   * The records a command changed: the partition itself and, for a split at
   * {@code at}, the halves that meet there (once the split is done, the
   * parent is gone and they replace it).
   */
  static List<PartitionRecord> changed(ServiceStatus s, String partition, String at) {
    List<PartitionRecord> changed = new ArrayList<>();
    for (PartitionRecord p : s.getPartitionsList()) {
      boolean half = at != null && !at.isEmpty() && (p.getEnd().equals(at) || p.getStart().equals(at));
      if (p.getId().equals(partition) || half) {
        changed.add(p);
      }
    }
    return changed;
  }

  abstract static class PartitionBase extends ClusterCommandBase {
    @Parameters(index = "0", paramLabel = "NAME", description = "The service.")
    String name;

    @Parameters(index = "1", paramLabel = "PARTITION", description = "The partition's id (see `service status`).")
    String partition;

    abstract ServiceStatus apply(ServiceAdmins admins);

    /** The split key, for commands that split. */
    String at() {
      return null;
    }

    @Override
    protected void run(FeitianClient client) {
      ServiceStatus s = apply(new ServiceAdmins(client));
      print(s, out -> {
        List<PartitionRecord> changed = changed(s, partition, at());
        if (changed.isEmpty()) {
          out.println("partition " + partition + " is no longer in the table of " + name);
        } else {
          ServiceCommand.partitions(out, changed);
        }
      });
    }
  }

  @Command(name = "load", description = "Load an unassigned partition on a worker.")
  static final class Load extends PartitionBase {
    @Option(names = "--worker", paramLabel = "WORKER", defaultValue = "",
        description = "The worker to own it; default: the least loaded.")
    String worker;

    @Override
    ServiceStatus apply(ServiceAdmins admins) {
      return admins.load(name, partition, worker);
    }
  }

  @Command(name = "unload", description = "Stop serving a partition (it stays unassigned, its data kept).")
  static final class Unload extends PartitionBase {
    @Override
    ServiceStatus apply(ServiceAdmins admins) {
      return admins.unload(name, partition);
    }
  }

  @Command(name = "split", description = "Split a serving partition in two at a key.")
  static final class Split extends PartitionBase {
    @Option(names = "--at", paramLabel = "KEY", required = true,
        description = "Where the upper half starts (strictly inside the partition's range).")
    String at;

    @Override
    String at() {
      return at;
    }

    @Override
    ServiceStatus apply(ServiceAdmins admins) {
      if (at.isEmpty()) {
        throw new IllegalArgumentException("--at must not be empty (the key space starts there)");
      }
      return admins.split(name, partition, at);
    }
  }

  @Command(name = "migrate", description = "Move a serving partition to another worker.")
  static final class Migrate extends PartitionBase {
    @Option(names = "--to", paramLabel = "WORKER", required = true, description = "The worker to move it to.")
    String to;

    @Override
    ServiceStatus apply(ServiceAdmins admins) {
      if (to.isEmpty()) {
        throw new IllegalArgumentException("--to must name a worker");
      }
      return admins.migrate(name, partition, to);
    }
  }
}
