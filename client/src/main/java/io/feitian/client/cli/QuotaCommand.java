package io.feitian.client.cli;

import io.feitian.client.FeitianClient;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.DeleteQuotaRequest;
import io.feitian.proto.fuxi.v1.ListQuotasRequest;
import io.feitian.proto.fuxi.v1.ListQuotasResponse;
import io.feitian.proto.fuxi.v1.QuotaGroup;
import io.feitian.proto.fuxi.v1.SetQuotaRequest;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "quota", description = "Quota groups: guaranteed minimum, maximum, weight for the spare.",
    subcommands = {QuotaCommand.ListQuotas.class, QuotaCommand.Set.class, QuotaCommand.Delete.class})
final class QuotaCommand {
  @Command(name = "list", description = "Quota groups and their use.")
  static final class ListQuotas extends ClusterCommandBase {
    @Override
    protected void run(FeitianClient client) {
      ListQuotasResponse r = client.cluster(c -> c.listQuotas(ListQuotasRequest.getDefaultInstance()));
      print(r, out -> {
        List<List<String>> rows = new ArrayList<>();
        for (QuotaGroup q : r.getQuotasList()) {
          boolean capped = q.getMax().getCpuMillis() > 0 || q.getMax().getMemoryMib() > 0;
          rows.add(List.of(q.getName(), Printer.resources(q.getMin()), capped ? Printer.resources(q.getMax()) : "unlimited",
              Double.toString(q.getWeight()), Printer.resources(q.getInUse())));
        }
        Printer.table(out, List.of("GROUP", "MIN", "MAX", "WEIGHT", "IN USE"), rows);
      });
    }
  }

  @Command(name = "set", description = "Creates or replaces a quota group (admin).")
  static final class Set extends ClusterCommandBase {
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

    @Override
    protected void run(FeitianClient client) {
      QuotaGroup q = QuotaGroup.newBuilder().setName(name)
          .setMin(Resources.newBuilder().setCpuMillis(minCpu).setMemoryMib(minMemory))
          .setMax(Resources.newBuilder().setCpuMillis(maxCpu).setMemoryMib(maxMemory))
          .setWeight(weight).build();
      QuotaGroup stored = client.cluster(c -> c.setQuota(SetQuotaRequest.newBuilder().setQuota(q).build()));
      print(stored, out -> out.println("quota group " + stored.getName() + " set"));
    }
  }

  @Command(name = "delete", description = "Deletes a quota group no running application uses (admin).")
  static final class Delete extends ClusterCommandBase {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    protected void run(FeitianClient client) {
      client.cluster(c -> c.deleteQuota(DeleteQuotaRequest.newBuilder().setName(name).build()));
      done("quota group " + name + " deleted");
    }
  }
}
