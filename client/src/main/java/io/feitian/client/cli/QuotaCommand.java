package io.feitian.client.cli;

import io.feitian.client.FeitianClient;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.DeleteQuotaRequest;
import io.feitian.proto.fuxi.v1.ListQuotasRequest;
import io.feitian.proto.fuxi.v1.ListQuotasResponse;
import io.feitian.proto.fuxi.v1.QuotaGroup;
import io.feitian.proto.fuxi.v1.SetQuotaRequest;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "quota", description = "Quota groups: guaranteed minimum, maximum, weight for the spare.",
    subcommands = {QuotaCommand.ListQuotas.class, QuotaCommand.Set.class, QuotaCommand.Delete.class})
final class QuotaCommand {
  @Command(name = "list", description = "Quota groups and their use.")
  static final class ListQuotas implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (FeitianClient client = cluster.connect()) {
        ListQuotasResponse r = client.cluster(c -> c.listQuotas(ListQuotasRequest.getDefaultInstance()));
        if (cluster.json) {
          Printer.json(out, r);
          return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        for (QuotaGroup q : r.getQuotasList()) {
          rows.add(List.of(q.getName(), Printer.resources(q.getMin()),
              q.hasMax() && (q.getMax().getCpuMillis() > 0 || q.getMax().getMemoryMib() > 0)
                  ? Printer.resources(q.getMax()) : "unlimited",
              Double.toString(q.getWeight()), Printer.resources(q.getInUse())));
        }
        Printer.table(out, List.of("GROUP", "MIN", "MAX", "WEIGHT", "IN USE"), rows);
        return 0;
      }
    }
  }

  @Command(name = "set", description = "Creates or replaces a quota group (admin).")
  static final class Set implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--min-cpu", defaultValue = "0", description = "Guaranteed CPU, millicores.")
    long minCpu;

    @Option(names = "--min-memory", defaultValue = "0", description = "Guaranteed memory, MiB.")
    long minMemory;

    @Option(names = "--max-cpu", defaultValue = "0", description = "CPU cap, millicores (0: none).")
    long maxCpu;

    @Option(names = "--max-memory", defaultValue = "0", description = "Memory cap, MiB (0: none).")
    long maxMemory;

    @Option(names = "--weight", defaultValue = "1.0", description = "Share of the spare capacity (default 1).")
    double weight;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      QuotaGroup q = QuotaGroup.newBuilder().setName(name)
          .setMin(Resources.newBuilder().setCpuMillis(minCpu).setMemoryMib(minMemory))
          .setMax(Resources.newBuilder().setCpuMillis(maxCpu).setMemoryMib(maxMemory))
          .setWeight(weight).build();
      try (FeitianClient client = cluster.connect()) {
        QuotaGroup stored = client.cluster(c -> c.setQuota(SetQuotaRequest.newBuilder().setQuota(q).build()));
        if (cluster.json) {
          Printer.json(spec.commandLine().getOut(), stored);
        } else {
          spec.commandLine().getOut().println("quota group " + stored.getName() + " set");
        }
        return 0;
      }
    }
  }

  @Command(name = "delete", description = "Deletes a quota group no running application uses (admin).")
  static final class Delete implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Parameters(paramLabel = "NAME")
    String name;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      try (FeitianClient client = cluster.connect()) {
        client.cluster(c -> c.deleteQuota(DeleteQuotaRequest.newBuilder().setName(name).build()));
        spec.commandLine().getOut().println(cluster.json ? "{}" : "quota group " + name + " deleted");
        return 0;
      }
    }
  }
}
