package io.feitian.client.cli.dayu;

import io.feitian.client.cli.Printer;
import io.feitian.proto.dayu.v1.ClusterInfo;
import io.feitian.proto.dayu.v1.GetClusterInfoRequest;
import io.feitian.proto.dayu.v1.HostGroup;
import io.feitian.proto.dayu.v1.Node;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code feitian dayu info}: what GetClusterInfo gives the other modules, as tables or JSON. */
@Command(name = "info", description = "A cluster's nodes (with the modules they run), racks, roles and the "
    + "addresses of its listening modules.")
final class InfoCommand extends DayuCommandBase {
  @Mixin
  ClusterName cluster;

  @Override
  protected void run(DayuConnection server) {
    ClusterInfo info = server.blocking().getClusterInfo(GetClusterInfoRequest.newBuilder()
        .setCluster(cluster.get()).build());
    print(info, out -> human(out, info));
  }

  static void human(PrintWriter out, ClusterInfo info) {
    out.println("cluster " + info.getCluster().getName() + ", parameter revision "
        + info.getCluster().getParamRevision());
    out.println();
    Printer.table(out, List.of("HOST", "RACK", "STATE", "ROLES", "MODULES"), info.getNodesList().stream()
        .map(i -> {
          Node n = i.getNode();
          String modules = i.getModulesMap().entrySet().stream().sorted(Map.Entry.comparingByKey())
              .map(e -> e.getKey() + "@" + e.getValue()).collect(Collectors.joining(","));
          return List.of(n.getHost(), n.getRack(), n.getState(), String.join(",", n.getRolesList()), modules);
        }).toList());
    out.println();
    Printer.table(out, List.of("RACK", "HOSTS"), groups(info.getRacksList()));
    out.println();
    Printer.table(out, List.of("ROLE", "HOSTS"), groups(info.getRolesList()));
    out.println();
    Printer.table(out, List.of("MODULE", "ADDRESSES"), info.getAddressesList().stream()
        .map(a -> List.of(a.getModule(), String.join(",", a.getAddressesList()))).toList());
  }

  private static List<List<String>> groups(List<HostGroup> groups) {
    return groups.stream().map(g -> List.of(g.getName(), String.join(",", g.getHostsList()))).toList();
  }
}
