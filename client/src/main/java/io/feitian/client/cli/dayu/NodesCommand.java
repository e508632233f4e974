package io.feitian.client.cli.dayu;

import io.feitian.client.cli.Printer;
import io.feitian.proto.dayu.v1.AddNodeRequest;
import io.feitian.proto.dayu.v1.ListNodesRequest;
import io.feitian.proto.dayu.v1.ListNodesResponse;
import io.feitian.proto.dayu.v1.Node;
import io.feitian.proto.dayu.v1.RemoveNodeRequest;
import io.feitian.proto.dayu.v1.RemoveNodeResponse;
import io.feitian.proto.dayu.v1.SetNodeRolesRequest;
import io.feitian.proto.dayu.v1.SetNodeStateRequest;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "node", description = "Nodes of a cluster and their roles.",
    subcommands = {NodesCommand.Add.class, NodesCommand.ListNodes.class, NodesCommand.Roles.class,
        NodesCommand.State.class, NodesCommand.Remove.class})
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
          + ", roles " + roles(n) + ")"));
    }
  }

  @Command(name = "roles", description = "Replaces a node's roles, all at once.")
  static final class Roles extends DayuCommandBase {
    @Mixin
    ClusterName cluster;

    @Parameters(index = "0", paramLabel = "HOST")
    String host;

    // At least one: a forgotten argument must not strip a node of its roles (the RPC takes none).
    @Parameters(index = "1..*", arity = "1..*", paramLabel = "ROLE", description = "Its roles from now on.")
    List<String> roles;

    @Override
    protected void run(DayuConnection server) {
      Node n = server.blocking().setNodeRoles(SetNodeRolesRequest.newBuilder().setCluster(cluster.get())
          .setHost(host).addAllRoles(roles).build());
      print(n, out -> out.println("node " + n.getHost() + " of " + n.getCluster() + " has roles " + roles(n)));
    }
  }

  @Command(name = "state", description = "Sets a node's state: NEW, ONLINE, OFFLINE or DRAINING (a check-in by "
      + "its agent turns NEW or OFFLINE into ONLINE, never DRAINING).")
  static final class State extends DayuCommandBase {
    @Mixin
    ClusterName cluster;

    @Parameters(index = "0", paramLabel = "HOST")
    String host;

    @Parameters(index = "1", paramLabel = "STATE")
    String state;

    @Override
    protected void run(DayuConnection server) {
      Node n = server.blocking().setNodeState(SetNodeStateRequest.newBuilder().setCluster(cluster.get())
          .setHost(host).setState(state).build());
      print(n, out -> out.println("node " + n.getHost() + " of " + n.getCluster() + " is " + n.getState()));
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

  private static String roles(Node n) {
    return n.getRolesCount() == 0 ? "none" : String.join(",", n.getRolesList());
  }
}
