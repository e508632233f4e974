package io.feitian.client.cli;

import io.feitian.client.FeitianClient;
import io.feitian.proto.fuxi.v1.BlacklistEntry;
import io.feitian.proto.fuxi.v1.BlacklistRequest;
import io.feitian.proto.fuxi.v1.ListBlacklistRequest;
import io.feitian.proto.fuxi.v1.ListBlacklistResponse;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "blacklist", description = "The cluster machine blacklist: no new grants on listed nodes.",
    subcommands = {BlacklistCommand.ListEntries.class, BlacklistCommand.Add.class, BlacklistCommand.Remove.class})
final class BlacklistCommand {
  @Command(name = "list", description = "Blacklisted nodes.")
  static final class ListEntries implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (FeitianClient client = cluster.connect()) {
        ListBlacklistResponse r = client.cluster(c -> c.listBlacklist(ListBlacklistRequest.getDefaultInstance()));
        if (cluster.json) {
          Printer.json(out, r);
          return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        for (BlacklistEntry e : r.getEntriesList()) {
          rows.add(List.of(e.getNodeId(), Instant.ofEpochMilli(e.getAddedAtMs()).toString(), e.getReason()));
        }
        Printer.table(out, List.of("NODE", "SINCE", "REASON"), rows);
        return 0;
      }
    }
  }

  @Command(name = "add", description = "Blacklists a node (admin).")
  static final class Add implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Parameters(paramLabel = "NODE")
    String node;

    @Option(names = "--reason", defaultValue = "", description = "Why, for the record.")
    String reason;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      try (FeitianClient client = cluster.connect()) {
        BlacklistEntry e = client.cluster(c -> c.addToBlacklist(
            BlacklistRequest.newBuilder().setNodeId(node).setReason(reason).build()));
        if (cluster.json) {
          Printer.json(spec.commandLine().getOut(), e);
        } else {
          spec.commandLine().getOut().println("node " + node + " blacklisted");
        }
        return 0;
      }
    }
  }

  @Command(name = "remove", description = "Lifts a node's blacklisting (admin).")
  static final class Remove implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Parameters(paramLabel = "NODE")
    String node;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      try (FeitianClient client = cluster.connect()) {
        client.cluster(c -> c.removeFromBlacklist(BlacklistRequest.newBuilder().setNodeId(node).build()));
        spec.commandLine().getOut().println(cluster.json ? "{}" : "node " + node + " removed from the blacklist");
        return 0;
      }
    }
  }
}
