package io.feitian.client.cli;

import io.feitian.client.FeitianClient;
import io.feitian.proto.fuxi.v1.BlacklistEntry;
import io.feitian.proto.fuxi.v1.BlacklistRequest;
import io.feitian.proto.fuxi.v1.ListBlacklistRequest;
import io.feitian.proto.fuxi.v1.ListBlacklistResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "blacklist", description = "The cluster machine blacklist: no new grants on listed nodes.",
    subcommands = {BlacklistCommand.ListEntries.class, BlacklistCommand.Add.class, BlacklistCommand.Remove.class})
final class BlacklistCommand {
  @Command(name = "list", description = "Blacklisted nodes.")
  static final class ListEntries extends ClusterCommandBase {
    @Override
    protected void run(FeitianClient client) {
      ListBlacklistResponse r = client.cluster(c -> c.listBlacklist(ListBlacklistRequest.getDefaultInstance()));
      print(r, out -> {
        List<List<String>> rows = new ArrayList<>();
        for (BlacklistEntry e : r.getEntriesList()) {
          rows.add(List.of(e.getNodeId(), Instant.ofEpochMilli(e.getAddedAtMs()).toString(), e.getReason()));
        }
        Printer.table(out, List.of("NODE", "SINCE", "REASON"), rows);
      });
    }
  }

  @Command(name = "add", description = "Blacklists a node (admin).")
  static final class Add extends ClusterCommandBase {
    @Parameters(paramLabel = "NODE")
    String node;

    @Option(names = "--reason", defaultValue = "", description = "Why, for the record (at most 4 KiB).")
    String reason;

    @Option(names = "--force", description = "Also a node the cluster does not know (down, or not yet installed).")
    boolean force;

    @Override
    protected void run(FeitianClient client) {
      BlacklistEntry e = client.cluster(c -> c.addToBlacklist(
          BlacklistRequest.newBuilder().setNodeId(node).setReason(reason).setForce(force).build()));
      print(e, out -> out.println("node " + node + " blacklisted"));
    }
  }

  @Command(name = "remove", description = "Lifts a node's blacklisting (admin).")
  static final class Remove extends ClusterCommandBase {
    @Parameters(paramLabel = "NODE")
    String node;

    @Override
    protected void run(FeitianClient client) {
      client.cluster(c -> c.removeFromBlacklist(BlacklistRequest.newBuilder().setNodeId(node).build()));
      done("node " + node + " removed from the blacklist");
    }
  }
}
