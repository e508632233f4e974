package io.feitian.client.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.feitian.client.FeitianClient;
import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.AppSpec;
import io.feitian.proto.fuxi.v1.GetAppRequest;
import io.feitian.proto.fuxi.v1.KillAppRequest;
import io.feitian.proto.fuxi.v1.ListAppsRequest;
import io.feitian.proto.fuxi.v1.ListAppsResponse;
import io.feitian.proto.fuxi.v1.SubmitAppRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "app", description = "Applications (each runs its own master).",
    subcommands = {AppCommand.ListApps.class, AppCommand.Status.class, AppCommand.Submit.class, AppCommand.Kill.class})
final class AppCommand {
  static void human(PrintWriter out, AppInfo a) {
    out.println("app:       " + a.getAppId() + " (" + a.getSpec().getName() + ")");
    out.println("state:     " + state(a) + (a.getMessage().isEmpty() ? "" : " - " + a.getMessage()));
    out.println("quota:     " + group(a));
    out.println("master:    " + (a.getMasterWorkerId().isEmpty() ? "-" : a.getMasterWorkerId() + " on " + a.getMasterNodeId())
        + ", " + a.getMasterRestarts() + " restarts");
    out.println("grants:    " + a.getGrants() + " (" + Printer.resources(a.getInUse()) + ")");
  }

  private static String state(AppInfo a) {
    return a.getState().name().replace("APP_STATE_", "");
  }

  private static String group(AppInfo a) {
    return a.getSpec().getQuotaGroup().isEmpty() ? "default" : a.getSpec().getQuotaGroup();
  }

  @Command(name = "list", description = "Running applications (--all: ended ones too).")
  static final class ListApps extends ClusterCommandBase {
    @Option(names = "--all", description = "Include ended applications.")
    boolean all;

    @Override
    protected void run(FeitianClient client) {
      ListAppsResponse r = client.cluster(c -> c.listApps(ListAppsRequest.newBuilder().setAll(all).build()));
      print(r, out -> {
        List<List<String>> rows = new ArrayList<>();
        for (AppInfo a : r.getAppsList()) {
          rows.add(List.of(a.getAppId(), a.getSpec().getName(), state(a), group(a), Integer.toString(a.getGrants()),
              Printer.resources(a.getInUse()), a.getMasterNodeId()));
        }
        Printer.table(out, List.of("APP", "NAME", "STATE", "QUOTA", "GRANTS", "IN USE", "MASTER NODE"), rows);
      });
    }
  }

  @Command(name = "status", description = "One application.")
  static final class Status extends ClusterCommandBase {
    @Parameters(paramLabel = "APP_ID")
    String appId;

    @Override
    protected void run(FeitianClient client) {
      AppInfo a = client.cluster(c -> c.getApp(GetAppRequest.newBuilder().setAppId(appId).build()));
      print(a, out -> human(out, a));
    }
  }

  @Command(name = "submit", description = "Submits an application described in a JSON file (an AppSpec); prints its id.")
  static final class Submit extends ClusterCommandBase {
    @Parameters(paramLabel = "FILE")
    Path file;

    @Override
    protected void run(FeitianClient client) throws IOException {
      AppSpec.Builder b = AppSpec.newBuilder();
      try {
        JsonFormat.parser().merge(Files.readString(file), b);
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalArgumentException(file + " is not a valid application description: " + e.getMessage(), e);
      }
      var r = client.cluster(c -> c.submitApp(SubmitAppRequest.newBuilder().setSpec(b).build()));
      print(r, out -> out.println(r.getAppId()));
    }
  }

  @Command(name = "kill", description = "Kills an application: its master, its workers, its grants.")
  static final class Kill extends ClusterCommandBase {
    @Parameters(paramLabel = "APP_ID")
    String appId;

    @Override
    protected void run(FeitianClient client) {
      AppInfo a = client.cluster(c -> c.killApp(KillAppRequest.newBuilder().setAppId(appId).build()));
      print(a, out -> human(out, a));
    }
  }
}
