package io.feitian.client.cli;

import io.feitian.client.FeitianClient;
import io.feitian.proto.fuxi.v1.ClusterStatus;
import io.feitian.proto.fuxi.v1.MasterInfo;
import io.feitian.proto.fuxi.v1.NodeState;
import io.feitian.proto.fuxi.v1.NodeStatus;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

@Command(name = "cluster", description = "Cluster-wide views.", subcommands = ClusterCommand.Status.class)
final class ClusterCommand {
  @Command(name = "status", description = "Leader and epoch, standbys, nodes with total and free resources, lost and "
      + "draining nodes.")
  static final class Status extends ClusterCommandBase {
    @Override
    protected void run(FeitianClient client) {
      // Answered at once by whichever master answers: during a failover that is a standby.
      ClusterStatus s = client.statusFromAnyMaster();
      print(s, out -> human(out, s));
    }

    /** What an operator should know about a failover under way, or empty. */
    static String failover(ClusterStatus s) {
      if (!s.getAnsweredBy().isEmpty() && !s.getAnsweredBy().equals(s.getLeaderAddress())) {
        return "failover in progress: the leader " + (s.getLeaderAddress().isEmpty() ? "(none elected yet)"
            : s.getLeaderAddress()) + " does not answer; standby " + s.getAnsweredBy()
            + " answered (it has no view of the nodes)";
      }
      if (s.getRecovering()) {
        return "failover in progress: the leader took office moments ago; nodes are re-registering ("
            + s.getNodesCount() + " so far)";
      }
      return "";
    }

    private static void human(PrintWriter out, ClusterStatus s) {
      String failover = failover(s);
      if (!failover.isEmpty()) {
        out.println(failover);
      }
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
        String state = (alive ? "alive" : "LOST") + (n.getDraining() ? ", draining" : "");
        rows.add(List.of(n.getNodeId(), state, n.getRack(), n.getAddress(),
            alive ? Printer.resources(n.getTotal()) : "", alive ? Printer.resources(n.getFree()) : "",
            Integer.toString(n.getGrants()), Integer.toString(n.getWorkers()), n.getBlacklisted() ? "yes" : "",
            n.getLastHeartbeatAgeMs() + "ms"));
      }
      Printer.table(out, List.of("NODE", "STATE", "RACK", "ADDRESS", "TOTAL", "FREE", "GRANTS", "WORKERS",
          "BLACKLISTED", "LAST HEARD"), rows);
    }
  }
}
