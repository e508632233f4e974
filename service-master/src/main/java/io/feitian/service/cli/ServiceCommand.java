package io.feitian.service.cli;

import io.feitian.client.FeitianClient;
import io.feitian.client.cli.ClusterCommandBase;
import io.feitian.client.cli.Printer;
import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.ListAppsResponse;
import io.feitian.proto.fuxi.v1.SubmitAppResponse;
import io.feitian.proto.service.v1.PartitionRecord;
import io.feitian.proto.service.v1.PartitionState;
import io.feitian.proto.service.v1.RoleStatus;
import io.feitian.proto.service.v1.ServiceSpec;
import io.feitian.proto.service.v1.ServiceStatus;
import io.feitian.proto.service.v1.WorkerInfo;
import io.feitian.service.client.ServiceAdmins;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * `feitian service ...`: online services (see docs/SERVICES.md). A service
 * is named by its description's name; the commands find its running
 * application and ask its service-master, waiting for one that is
 * restarting.
 */
@Command(name = "service", description = "Online services: roles of long-running workers, one of them partitioned.",
    subcommands = {ServiceCommand.Create.class, ServiceCommand.ListServices.class, ServiceCommand.StatusCommand.class,
        ServiceCommand.Scale.class, ServiceCommand.Delete.class})
public final class ServiceCommand {
  ServiceCommand() {}

  static String state(AppInfo a) {
    return a.getState().name().replace("APP_STATE_", "");
  }

  static String state(PartitionRecord p) {
    String s = p.getState().name().replace("PARTITION_STATE_", "");
    if (p.getState() == PartitionState.PARTITION_STATE_UNLOADING && !p.getNext().isEmpty()) {
      return s + " -> " + p.getNext();
    }
    if (p.getState() == PartitionState.PARTITION_STATE_SPLITTING && !p.getNext().isEmpty()) {
      return s + " at " + p.getNext();
    }
    return s;
  }

  static String range(PartitionRecord p) {
    return "[" + (p.getStart().isEmpty() ? "-inf" : p.getStart()) + ", " + (p.getEnd().isEmpty() ? "+inf" : p.getEnd())
        + ")";
  }

  static void partitions(PrintWriter out, List<PartitionRecord> partitions) {
    List<List<String>> rows = new ArrayList<>();
    for (PartitionRecord p : partitions) {
      rows.add(List.of(p.getId(), range(p), p.getOwner().isEmpty() ? "-" : p.getOwner(), Long.toString(p.getEpoch()),
          state(p)));
    }
    Printer.table(out, List.of("PARTITION", "RANGE", "OWNER", "EPOCH", "STATE"), rows);
  }

  static void human(PrintWriter out, ServiceStatus s) {
    out.println("service: " + s.getName() + " (" + s.getAppId() + ")");
    out.println();
    List<List<String>> roles = new ArrayList<>();
    for (RoleStatus r : s.getRolesList()) {
      roles.add(List.of(r.getName(), Integer.toString(r.getWanted()), Integer.toString(r.getRunning())));
    }
    Printer.table(out, List.of("ROLE", "WANTED", "RUNNING"), roles);
    out.println();
    List<List<String>> workers = new ArrayList<>();
    for (WorkerInfo w : s.getWorkersList()) {
      workers.add(List.of(w.getWorkerId(), w.getRole(), w.getNodeId(), w.getEndpoint().isEmpty() ? "-" : w.getEndpoint(),
          Integer.toString(w.getPartitions()), w.getLost() ? "yes" : ""));
    }
    Printer.table(out, List.of("WORKER", "ROLE", "NODE", "ENDPOINT", "PARTITIONS", "LOST"), workers);
    out.println();
    partitions(out, s.getPartitionsList());
  }

  @Command(name = "create", description = "Start a service from its description file (JSON); prints its application id.")
  static final class Create extends ClusterCommandBase {
    @Parameters(paramLabel = "FILE", description = "The service description (JSON, a feitian.service.v1.ServiceSpec);"
        + " relative java.jars are resolved against its directory.")
    Path file;

    @Override
    protected void run(FeitianClient client) {
      ServiceSpec spec = ServiceAdmins.read(file);
      String id = new ServiceAdmins(client).create(spec);
      print(SubmitAppResponse.newBuilder().setAppId(id).build(), out -> out.println(id));
    }
  }

  @Command(name = "list", description = "Running services.")
  static final class ListServices extends ClusterCommandBase {
    @Override
    protected void run(FeitianClient client) {
      List<AppInfo> services = new ServiceAdmins(client).running();
      print(ListAppsResponse.newBuilder().addAllApps(services).build(), out -> {
        List<List<String>> rows = new ArrayList<>();
        for (AppInfo a : services) {
          rows.add(List.of(a.getSpec().getName(), a.getAppId(), state(a),
              a.getEndpoint().isEmpty() ? "-" : a.getEndpoint()));
        }
        Printer.table(out, List.of("NAME", "APP", "STATE", "ENDPOINT"), rows);
      });
    }
  }

  @Command(name = "status", description = "A service's roles, workers and partitions.")
  static final class StatusCommand extends ClusterCommandBase {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    protected void run(FeitianClient client) {
      ServiceStatus s = new ServiceAdmins(client).status(name);
      print(s, out -> human(out, s));
    }
  }

  @Command(name = "scale", description = "Set how many workers of a role are kept running.")
  static final class Scale extends ClusterCommandBase {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "ROLE")
    String role;

    @Parameters(index = "2", paramLabel = "N", description = "Workers wanted.")
    int workers;

    @Override
    protected void run(FeitianClient client) {
      ServiceStatus s = new ServiceAdmins(client).scale(name, role, workers);
      print(s, out -> {
        for (RoleStatus r : s.getRolesList()) {
          if (r.getName().equals(role)) {
            out.println(name + " " + role + ": " + r.getWanted() + " wanted, " + r.getRunning() + " running");
            return;
          }
        }
        out.println(name + " " + role + ": scaled to " + workers);
      });
    }
  }

  @Command(name = "delete", description = "Stop a service: kills its application (master and workers).")
  static final class Delete extends ClusterCommandBase {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    protected void run(FeitianClient client) {
      AppInfo a = new ServiceAdmins(client).delete(name);
      print(a, out -> out.println(name + " (" + a.getAppId() + ") " + state(a)
          + (a.getMessage().isEmpty() ? "" : " - " + a.getMessage())));
    }
  }
}
