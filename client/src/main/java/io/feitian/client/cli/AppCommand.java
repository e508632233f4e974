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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "app", description = "Applications (each runs its own master).",
    subcommands = {AppCommand.ListApps.class, AppCommand.Status.class, AppCommand.Submit.class, AppCommand.Kill.class})
final class AppCommand {
  static void print(PrintWriter out, AppInfo a) {
    out.println("app:       " + a.getAppId() + " (" + a.getSpec().getName() + ")");
    out.println("state:     " + a.getState().name().replace("APP_STATE_", "") + (a.getMessage().isEmpty() ? "" : " - " + a.getMessage()));
    out.println("quota:     " + (a.getSpec().getQuotaGroup().isEmpty() ? "default" : a.getSpec().getQuotaGroup()));
    out.println("master:    " + (a.getMasterWorkerId().isEmpty() ? "-" : a.getMasterWorkerId() + " on " + a.getMasterNodeId())
        + ", " + a.getMasterRestarts() + " restarts");
    out.println("grants:    " + a.getGrants() + " (" + Printer.resources(a.getInUse()) + ")");
  }

  @Command(name = "list", description = "Running applications (--all: ended ones too).")
  static final class ListApps implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--all", description = "Include ended applications.")
    boolean all;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (FeitianClient client = cluster.connect()) {
        ListAppsResponse r = client.cluster(c -> c.listApps(ListAppsRequest.newBuilder().setAll(all).build()));
        if (cluster.json) {
          Printer.json(out, r);
          return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        for (AppInfo a : r.getAppsList()) {
          rows.add(List.of(a.getAppId(), a.getSpec().getName(), a.getState().name().replace("APP_STATE_", ""),
              a.getSpec().getQuotaGroup().isEmpty() ? "default" : a.getSpec().getQuotaGroup(),
              Integer.toString(a.getGrants()), Printer.resources(a.getInUse()), a.getMasterNodeId()));
        }
        Printer.table(out, List.of("APP", "NAME", "STATE", "QUOTA", "GRANTS", "IN USE", "MASTER NODE"), rows);
        return 0;
      }
    }
  }

  @Command(name = "status", description = "One application.")
  static final class Status implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Parameters(paramLabel = "APP_ID")
    String appId;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (FeitianClient client = cluster.connect()) {
        AppInfo a = client.cluster(c -> c.getApp(GetAppRequest.newBuilder().setAppId(appId).build()));
        if (cluster.json) {
          Printer.json(out, a);
        } else {
          print(out, a);
        }
        return 0;
      }
    }
  }

  @Command(name = "submit", description = "Submits an application described in a JSON file (an AppSpec).")
  static final class Submit implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Parameters(paramLabel = "FILE")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      AppSpec.Builder b = AppSpec.newBuilder();
      try {
        JsonFormat.parser().merge(Files.readString(file), b);
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalArgumentException(file + " is not a valid application description: " + e.getMessage(), e);
      }
      try (FeitianClient client = cluster.connect()) {
        String id = client.cluster(c -> c.submitApp(SubmitAppRequest.newBuilder().setSpec(b).build())).getAppId();
        spec.commandLine().getOut().println(cluster.json ? "{\"appId\": \"" + id + "\"}" : id);
        return 0;
      }
    }
  }

  @Command(name = "kill", description = "Kills an application: its master, its workers, its grants.")
  static final class Kill implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Parameters(paramLabel = "APP_ID")
    String appId;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      try (FeitianClient client = cluster.connect()) {
        AppInfo a = client.cluster(c -> c.killApp(KillAppRequest.newBuilder().setAppId(appId).build()));
        if (cluster.json) {
          Printer.json(spec.commandLine().getOut(), a);
        } else {
          print(spec.commandLine().getOut(), a);
        }
        return 0;
      }
    }
  }
}
