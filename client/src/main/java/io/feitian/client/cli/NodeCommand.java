package io.feitian.client.cli;

import io.feitian.client.FeitianClient;
import io.feitian.proto.fuxi.v1.DrainNodeRequest;
import io.feitian.proto.fuxi.v1.NodeState;
import io.feitian.proto.fuxi.v1.NodeStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "node", description = "Nodes of the cluster as fuxi-master schedules them.",
    subcommands = {NodeCommand.Drain.class, NodeCommand.Undrain.class})
final class NodeCommand {
  @Command(name = "drain", description = "Drains a node before its removal (admin): no new grants there; its running "
      + "grants go on until their applications return them. Lasts until `node undrain`, across failovers.")
  static final class Drain extends ClusterCommandBase {
    @Parameters(paramLabel = "NODE")
    String node;

    @Option(names = "--reason", defaultValue = "", description = "Why, for the record (at most 4 KiB).")
    String reason;

    @Override
    protected void run(FeitianClient client) {
      NodeStatus n = client.cluster(c -> c.drainNode(
          DrainNodeRequest.newBuilder().setNodeId(node).setReason(reason).build()));
      print(n, out -> out.println("node " + node + " draining; " + holds(n)));
    }
  }

  @Command(name = "undrain", description = "Ends a node's drain (admin): it takes new grants again.")
  static final class Undrain extends ClusterCommandBase {
    @Parameters(paramLabel = "NODE")
    String node;

    @Override
    protected void run(FeitianClient client) {
      NodeStatus n = client.cluster(c -> c.undrainNode(DrainNodeRequest.newBuilder().setNodeId(node).build()));
      print(n, out -> out.println("node " + node + " no longer draining"));
    }
  }

  /** What a draining node still holds, in words. */
  static String holds(NodeStatus n) {
    if (n.getState() != NodeState.NODE_STATE_ALIVE) {
      return "it is not alive (holds nothing the leader knows of)";
    }
    return n.getGrants() == 0 ? "it holds no grants"
        : "it still holds " + n.getGrants() + " grant" + (n.getGrants() == 1 ? "" : "s") + " ("
            + Printer.resources(n.getInUse()) + ")";
  }
}
