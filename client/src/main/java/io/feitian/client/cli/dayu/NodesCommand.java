package io.feitian.client.cli.dayu;

import io.feitian.client.cli.Printer;
import io.feitian.proto.dayu.v1.AddNodeRequest;
import io.feitian.proto.dayu.v1.ListNodesRequest;
import io.feitian.proto.dayu.v1.ListNodesResponse;
import io.feitian.proto.dayu.v1.Node;
import io.feitian.proto.dayu.v1.RemoveNodeRequest;
import io.feitian.proto.dayu.v1.RemoveNodeResponse;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "node", description = "Nodes of a cluster and their roles.",
    subcommands = {NodesCommand.Add.class, NodesCommand.ListNodes.class, NodesCommand.Remove.class})
final class NodesCommand {
  @Command(name = "add", description = "Adds a node (state NEW until its dayu-agent checks in).")
  static final class Add extends DayuCommandBase {
    @Mixin
    ClusterName cluster;

    @Parameters(paramLabel = "HOST", description = "The node's host name.")
    String host;

    @Option(names = "--rack", required = true, description = "The node's rack.")
    String rack;

    @Option(names = "--roles", split = ",", paramLabel = "ROLE", description = "Its roles, e.g. worker,gpu.")
    List<String> roles = new ArrayList<>();

    @Override
    protected void run(DayuConnection server) {
      Node n = server.blocking().addNode(AddNodeRequest.newBuilder().setCluster(cluster.get()).setHost(host)
          .setRack(rack).addAllRoles(roles).build());
      print(n, out -> out.println("added node " + n.getHost() + " to " + n.getCluster() + " (rack " + n.getRack()
          + ", roles " + (n.getRolesCount() == 0 ? "none" : String.join(",", n.getRolesList())) + ")"));
    }
  }

  @Command(name = "list", description = "Lists a cluster's nodes.")
  static final class ListNodes extends DayuCommandBase {
    @Mixin
    ClusterName cluster;

    @Override
    protected void run(DayuConnection server) {
      ListNodesResponse r = server.blocking().listNodes(ListNodesRequest.newBuilder().setCluster(cluster.get())
          .build());
      print(r, out -> Printer.table(out, List.of("HOST", "RACK", "STATE", "ROLES", "ADDED", "LAST SEEN"),
          r.getNodesList().stream().map(n -> List.of(n.getHost(), n.getRack(), n.getState(),
              String.join(",", n.getRolesList()), Printer.time(n.getAddedAtMs()), Printer.time(n.getLastSeenAtMs())))
              .toList()));
    }
  }

  @Command(name = "remove", description = "Removes a node and its roles from the database (no draining: "
      + "that is a scale-in rollout's work).")
  static final class Remove extends DayuCommandBase {
    @Mixin
    ClusterName cluster;

    @Parameters(paramLabel = "HOST")
    String host;

    @Override
    protected void run(DayuConnection server) {
      RemoveNodeResponse r = server.blocking().removeNode(RemoveNodeRequest.newBuilder().setCluster(cluster.get())
          .setHost(host).build());
      print(r, out -> out.println("removed node " + host + " from " + cluster.get()));
    }
  }
}
