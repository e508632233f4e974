package io.feitian.client.cli.dayu;

import io.feitian.client.cli.Printer;
import io.feitian.proto.dayu.v1.GetParamsRequest;
import io.feitian.proto.dayu.v1.GetParamsResponse;
import io.feitian.proto.dayu.v1.ParamChange;
import io.feitian.proto.dayu.v1.ParamRevision;
import io.feitian.proto.dayu.v1.ParamScope;
import io.feitian.proto.dayu.v1.ParamsDiffRequest;
import io.feitian.proto.dayu.v1.ParamsDiffResponse;
import io.feitian.proto.dayu.v1.ParamsHistoryRequest;
import io.feitian.proto.dayu.v1.ParamsHistoryResponse;
import io.feitian.proto.dayu.v1.SetParamsRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "params", description = "Module parameters of a cluster, with every revision kept.",
    subcommands = {ParamsCommand.Get.class, ParamsCommand.Set.class, ParamsCommand.History.class,
        ParamsCommand.Diff.class})
final class ParamsCommand {
  @Command(name = "get", description = "A module's parameters at a revision (the newest by default), or with --node"
      + " the values that node sees now (node, else role, else module; descriptor defaults not included).")
  static final class Get extends DayuCommandBase {
    @Mixin
    ClusterName cluster;

    @Parameters(paramLabel = "MODULE")
    String module;

    @Option(names = {"-r", "--revision"}, description = "The revision to read.")
    Long revision;

    @Option(names = "--node", paramLabel = "HOST", description = "The values this node sees.")
    String node;

    @Override
    protected void run(DayuConnection server) {
      GetParamsRequest.Builder request = GetParamsRequest.newBuilder().setCluster(cluster.get()).setModule(module);
      if (revision != null) {
        request.setRevision(revision);
      }
      if (node != null) {
        request.setNode(node);
      }
      GetParamsResponse r = server.blocking().getParams(request.build());
      print(r, out -> {
        out.println(module + " in " + cluster.get() + " at revision " + r.getRevision()
            + (node == null ? "" : ", as node " + node + " sees it"));
        if (node != null) {
          Printer.table(out, List.of("KEY", "VALUE"), new TreeMap<>(r.getEffectiveMap()).entrySet().stream()
              .map(e -> List.of(e.getKey(), e.getValue())).toList());
        } else {
          Printer.table(out, List.of("SCOPE", "TARGET", "KEY", "VALUE", "SET IN"), r.getValuesList().stream()
              .map(v -> List.of(scope(v.getScope()), v.getTarget(), v.getKey(), v.getValue(),
                  Long.toString(v.getSetIn()))).toList());
        }
      });
    }
  }

  @Command(name = "set", description = "Records one revision: sets KEY=VALUE and removes --unset keys, at module"
      + " scope, or for one role or node. Values are checked against the module's descriptor.")
  static final class Set extends DayuCommandBase {
    @Mixin
    ClusterName cluster;

    @Parameters(index = "0", paramLabel = "MODULE")
    String module;

    @Parameters(index = "1..*", paramLabel = "KEY=VALUE", description = "Values to set.")
    List<String> assignments = new ArrayList<>();

    @Option(names = "--unset", paramLabel = "KEY", description = "Removes the key at this scope (repeatable).")
    List<String> unset = new ArrayList<>();

    @Option(names = "--role", description = "Set for the nodes of this role.")
    String role;

    @Option(names = "--node", paramLabel = "HOST", description = "Set for this node only.")
    String node;

    @Option(names = {"-m", "--reason"}, required = true, description = "Why, in words (kept in the history).")
    String reason;

    @Option(names = "--author", defaultValue = "", description = "Who (default: the name of the caller's token).")
    String author;

    @Override
    protected void run(DayuConnection server) {
      ParamRevision r = server.blocking().setParams(SetParamsRequest.newBuilder().setCluster(cluster.get())
          .setAuthor(author).setReason(reason).addAllChanges(changes()).build());
      print(r, out -> out.println("revision " + r.getRevision() + " of " + r.getCluster() + ": "
          + describe(r.getChangesList())));
    }

    List<ParamChange> changes() {
      if (role != null && node != null) {
        throw new IllegalArgumentException("--role and --node exclude each other: a change has one scope");
      }
      if (assignments.isEmpty() && unset.isEmpty()) {
        throw new IllegalArgumentException("nothing to change: give KEY=VALUE or --unset KEY");
      }
      ParamChange.Builder at = ParamChange.newBuilder().setModule(module)
          .setScope(role != null ? ParamScope.PARAM_SCOPE_ROLE
              : node != null ? ParamScope.PARAM_SCOPE_NODE : ParamScope.PARAM_SCOPE_MODULE)
          .setTarget(role != null ? role : node != null ? node : "");
      List<ParamChange> changes = new ArrayList<>();
      for (String a : assignments) {
        KeyValue kv = KeyValue.parse(a, "KEY=VALUE");
        changes.add(at.clone().setKey(kv.key()).setValue(kv.value()).build());
      }
      for (String key : unset) {
        changes.add(at.clone().setKey(key).build());
      }
      return changes;
    }
  }

  @Command(name = "history", description = "The cluster's parameter revisions, newest first.")
  static final class History extends DayuCommandBase {
    @Mixin
    ClusterName cluster;

    @Option(names = "--module", description = "Only the revisions that changed this module.")
    String module;

    @Override
    protected void run(DayuConnection server) {
      ParamsHistoryResponse r = server.blocking().paramsHistory(ParamsHistoryRequest.newBuilder()
          .setCluster(cluster.get()).setModule(module == null ? "" : module).build());
      print(r, out -> Printer.table(out, List.of("REVISION", "TIME", "AUTHOR", "REASON", "CHANGES"),
          r.getRevisionsList().stream().map(v -> List.of(Long.toString(v.getRevision()),
              Printer.time(v.getCreatedAtMs()), v.getAuthor(), v.getReason(), describe(v.getChangesList())))
              .toList()));
    }
  }

  @Command(name = "diff", description = "Every key whose value differs between two revisions.")
  static final class Diff extends DayuCommandBase {
    @Mixin
    ClusterName cluster;

    @Parameters(index = "0", paramLabel = "FROM")
    long from;

    @Parameters(index = "1", paramLabel = "TO")
    long to;

    @Override
    protected void run(DayuConnection server) {
      ParamsDiffResponse r = server.blocking().paramsDiff(ParamsDiffRequest.newBuilder().setCluster(cluster.get())
          .setFromRevision(from).setToRevision(to).build());
      print(r, out -> Printer.table(out, List.of("MODULE", "SCOPE", "TARGET", "KEY", "AT " + from, "AT " + to),
          r.getDeltasList().stream().map(d -> List.of(d.getModule(), scope(d.getScope()), d.getTarget(), d.getKey(),
              d.hasBefore() ? d.getBefore() : "-", d.hasAfter() ? d.getAfter() : "-")).toList()));
    }
  }

  static String scope(ParamScope scope) {
    return scope.name().replace("PARAM_SCOPE_", "").toLowerCase();
  }

  /** {@code app port=8080; app timeout removed (role gpu)}. */
  static String describe(List<ParamChange> changes) {
    List<String> parts = new ArrayList<>();
    for (ParamChange c : changes) {
      String what = c.getModule() + " " + c.getKey() + (c.hasValue() ? "=" + c.getValue() : " removed");
      parts.add(c.getScope() == ParamScope.PARAM_SCOPE_MODULE ? what
          : what + " (" + scope(c.getScope()) + " " + c.getTarget() + ")");
    }
    return String.join("; ", parts);
  }
}
