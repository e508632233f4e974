package io.feitian.client.cli.dayu;

import io.feitian.client.cli.Printer;
import io.feitian.proto.dayu.v1.AddClusterRequest;
import io.feitian.proto.dayu.v1.Cluster;
import io.feitian.proto.dayu.v1.ListClustersRequest;
import io.feitian.proto.dayu.v1.ListClustersResponse;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "cluster", description = "Clusters in dayu-server's database.",
    subcommands = {ClustersCommand.Add.class, ClustersCommand.ListClusters.class})
final class ClustersCommand {
  @Command(name = "add", description = "Adds a cluster.")
  static final class Add extends DayuCommandBase {
    @Parameters(paramLabel = "NAME", description = "[A-Za-z0-9_.-], at most 64.")
    String name;

    @Option(names = {"-d", "--description"}, defaultValue = "", description = "What the cluster is for.")
    String description;

    @Override
    protected void run(DayuConnection server) {
      Cluster c = server.blocking().addCluster(AddClusterRequest.newBuilder().setName(name)
          .setDescription(description).build());
      print(c, out -> out.println("added cluster " + c.getName()));
    }
  }

  @Command(name = "list", description = "Lists the clusters with their newest parameter revision.")
  static final class ListClusters extends DayuCommandBase {
    @Override
    protected void run(DayuConnection server) {
      ListClustersResponse r = server.blocking().listClusters(ListClustersRequest.getDefaultInstance());
      print(r, out -> Printer.table(out, List.of("CLUSTER", "PARAMS REVISION", "CREATED", "DESCRIPTION"),
          r.getClustersList().stream().map(c -> List.of(c.getName(), Long.toString(c.getParamRevision()),
              Printer.time(c.getCreatedAtMs()), c.getDescription())).toList()));
    }
  }
}
