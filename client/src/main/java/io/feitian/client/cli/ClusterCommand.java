package io.feitian.client.cli;

import io.feitian.client.FeitianClient;
import io.feitian.proto.fuxi.v1.ClusterStatus;
import io.feitian.proto.fuxi.v1.GetClusterStatusRequest;
import io.feitian.proto.fuxi.v1.MasterInfo;
import io.feitian.proto.fuxi.v1.NodeState;
import io.feitian.proto.fuxi.v1.NodeStatus;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

@Command(name = "cluster", description = "Cluster-wide views.", subcommands = ClusterCommand.Status.class)
final class ClusterCommand {
  @Command(name = "status", description = "Leader and epoch, standbys, nodes with total and free resources, lost nodes.")
  static final class Status extends ClusterCommandBase {
    @Override
    protected void run(FeitianClient client) {
      ClusterStatus s = client.cluster(c -> c.getClusterStatus(GetClusterStatusRequest.getDefaultInstance()));
      print(s, out -> human(out, s));
    }

    private static void human(PrintWriter out, ClusterStatus s) {
      out.println("leader:  " + s.getLeaderAddress() + " (epoch " + s.getEpoch() + ")");
      List<String> standbys = new ArrayList<>();
      for (MasterInfo m : s.getMastersList()) {
        if (!m.getLeader()) {
          standbys.add(m.getAddress());
        }
      }
      out.println("standbys: " + (standbys.isEmpty() ? "(none)" : String.join(", ", standbys)));
      out.println("capacity: " + Printer.resources(s.getTotal()) + " total, " + Printer.resources(s.getFree())
          + " free, " + s.getPendingUnits() + " units pending");
      out.println();
      List<List<String>> rows = new ArrayList<>();
      for (NodeStatus n : s.getNodesList()) {
        boolean alive = n.getState() == NodeState.NODE_STATE_ALIVE;
        rows.add(List.of(n.getNodeId(), alive ? "alive" : "LOST", n.getRack(), n.getAddress(),
            alive ? Printer.resources(n.getTotal()) : "", alive ? Printer.resources(n.getFree()) : "",
            Integer.toString(n.getGrants()), Integer.toString(n.getWorkers()), n.getBlacklisted() ? "yes" : "",
            n.getLastHeartbeatAgeMs() + "ms"));
      }
      Printer.table(out, List.of("NODE", "STATE", "RACK", "ADDRESS", "TOTAL", "FREE", "GRANTS", "WORKERS",
          "BLACKLISTED", "LAST HEARD"), rows);
    }
  }
}
