package io.feitian.client.cli;

import io.feitian.client.shennong.AlertsClient;
import io.feitian.proto.shennong.v1.AddSilenceRequest;
import io.feitian.proto.shennong.v1.AddSilenceResponse;
import io.feitian.proto.shennong.v1.AlertInfo;
import io.feitian.proto.shennong.v1.AlertPhase;
import io.feitian.proto.shennong.v1.AlertTransition;
import io.feitian.proto.shennong.v1.ExpireSilenceRequest;
import io.feitian.proto.shennong.v1.ExpireSilenceResponse;
import io.feitian.proto.shennong.v1.HistoryRequest;
import io.feitian.proto.shennong.v1.HistoryResponse;
import io.feitian.proto.shennong.v1.ListAlertsRequest;
import io.feitian.proto.shennong.v1.ListAlertsResponse;
import io.feitian.proto.shennong.v1.ListRulesRequest;
import io.feitian.proto.shennong.v1.ListRulesResponse;
import io.feitian.proto.shennong.v1.ListSilencesRequest;
import io.feitian.proto.shennong.v1.ListSilencesResponse;
import io.feitian.proto.shennong.v1.ReloadRequest;
import io.feitian.proto.shennong.v1.ReloadResponse;
import io.feitian.proto.shennong.v1.RuleInfo;
import io.feitian.proto.shennong.v1.SilenceInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code feitian alerts}: the monitor-service's firing and recent alerts, their history, its rules
 * and silences, and a reload of its rules. Every subcommand calls the monitor-service leader.
 */
@Command(name = "alerts", description = "Alerts of the monitor-service: firing and recent ones (this command),"
    + " their history, the rules, silences, reload.",
    subcommands = {AlertsCommand.History.class, AlertsCommand.Rules.class, AlertsCommand.SilenceCommand.class,
        AlertsCommand.Reload.class})
final class AlertsCommand extends AlertsCommandBase {
  @Override
  protected void run(AlertsClient alerts) {
    ListAlertsResponse r = alerts.call(s -> s.listAlerts(ListAlertsRequest.getDefaultInstance()));
    print(r, out -> {
      List<List<String>> rows = new ArrayList<>();
      for (AlertInfo a : r.getAlertsList()) {
        String muted = a.getSilencedByCount() > 0 ? "silenced " + String.join(",", a.getSilencedByList())
            : a.getInhibited() ? "inhibited" : "";
        long since = a.getPhase() == AlertPhase.ALERT_PHASE_RESOLVED ? a.getResolvedAtMs()
            : a.getFiredAtMs() > 0 ? a.getFiredAtMs() : a.getActiveAtMs();
        rows.add(List.of(phase(a.getPhase()), name(a.getRule(), a.getLabelsMap()), WatchCommand.number(a.getValue()),
            time(since), muted, a.getAnnotationsMap().getOrDefault("summary", "")));
      }
      Printer.table(out, List.of("STATE", "ALERT", "VALUE", "SINCE", "MUTED", "SUMMARY"), rows);
    });
  }

  static String phase(AlertPhase p) {
    return p.name().replace("ALERT_PHASE_", "").toLowerCase();
  }

  /** The rule and the alert's labels but alertname: {@code NodeCpuHigh{node="n1"}}. */
  static String name(String rule, Map<String, String> labels) {
    Map<String, String> rest = new TreeMap<>(labels);
    rest.remove("alertname");
    return rule + WatchCommand.labels(rest);
  }

  static String time(long ms) {
    return Printer.time(ms);
  }

  @Command(name = "history", description = "Alert transitions, newest first (the last ones the leader keeps).")
  static final class History extends AlertsCommandBase {
    @Option(names = "--rule", defaultValue = "", description = "Only this rule's.")
    String rule;

    @Option(names = {"-n", "--limit"}, defaultValue = "100", description = "At most this many (default 100).")
    int limit;

    @Override
    protected void run(AlertsClient alerts) {
      HistoryResponse r = alerts.call(s -> s.history(HistoryRequest.newBuilder().setRule(rule).setLimit(limit)
          .build()));
      print(r, out -> {
        List<List<String>> rows = new ArrayList<>();
        for (AlertTransition t : r.getTransitionsList()) {
          rows.add(List.of(time(t.getAtMs()), name(t.getRule(), t.getLabelsMap()),
              phase(t.getFrom()) + " -> " + phase(t.getTo()), WatchCommand.number(t.getValue())));
        }
        Printer.table(out, List.of("TIME", "ALERT", "TRANSITION", "VALUE"), rows);
      });
    }
  }

  @Command(name = "rules", description = "The rules, with their alerts and last evaluation.")
  static final class Rules extends AlertsCommandBase {
    @Override
    protected void run(AlertsClient alerts) {
      ListRulesResponse r = alerts.call(s -> s.listRules(ListRulesRequest.getDefaultInstance()));
      print(r, out -> {
        List<List<String>> rows = new ArrayList<>();
        for (RuleInfo rule : r.getRulesList()) {
          rows.add(List.of(rule.getName(), rule.getKind(), rule.getOrigin(), Integer.toString(rule.getPending()),
              Integer.toString(rule.getFiring()), Integer.toString(rule.getResolved()),
              time(rule.getLastEvaluatedMs()), rule.getSubscriptionError()));
        }
        Printer.table(out, List.of("RULE", "KIND", "DEFINED AT", "PENDING", "FIRING", "RESOLVED", "LAST EVALUATION",
            "ERROR"), rows);
      });
    }
  }

  @Command(name = "reload", description = "Loads the rule directory again (admin); an invalid file is refused"
      + " with its line and the running rules are kept.")
  static final class Reload extends AlertsCommandBase {
    @Override
    protected void run(AlertsClient alerts) {
      ReloadResponse r = alerts.call(s -> s.reload(ReloadRequest.getDefaultInstance()));
      print(r, out -> out.println("reloaded " + r.getRules() + " rules and " + r.getInhibitions() + " inhibitions"));
    }
  }

  @Command(name = "silence", description = "Silences: add, list, expire.",
      subcommands = {SilenceCommand.Add.class, SilenceCommand.ListSilences.class, SilenceCommand.Expire.class})
  static final class SilenceCommand {
    @Command(name = "add", description = "Mutes the alerts the matchers match (admin); prints the silence's id.")
    static final class Add extends AlertsCommandBase {
      @Parameters(paramLabel = "MATCHERS", description = "Label matchers, e.g. '{alertname=\"NodeCpuHigh\",node=\"n1\"}'.")
      String matchers;

      @Option(names = {"-d", "--duration"}, defaultValue = "2h", converter = DurationConverter.class,
          description = "How long from now (default ${DEFAULT-VALUE}).")
      Duration duration;

      @Option(names = {"-a", "--author"}, defaultValue = "${env:USER:-unknown}",
          description = "Who silences (default $USER).")
      String author;

      @Option(names = {"-m", "--comment"}, required = true, description = "Why.")
      String comment;

      @Override
      protected void run(AlertsClient alerts) {
        AddSilenceResponse r = alerts.call(s -> s.addSilence(AddSilenceRequest.newBuilder().setMatchers(matchers)
            .setEndsAtMs(System.currentTimeMillis() + duration.toMillis()).setCreatedBy(author).setComment(comment)
            .build()));
        print(r, out -> out.println(r.getSilence().getId()));
      }
    }

    @Command(name = "list", description = "Silences, active, pending and recently expired.")
    static final class ListSilences extends AlertsCommandBase {
      @Override
      protected void run(AlertsClient alerts) {
        ListSilencesResponse r = alerts.call(s -> s.listSilences(ListSilencesRequest.getDefaultInstance()));
        print(r, out -> {
          List<List<String>> rows = new ArrayList<>();
          for (SilenceInfo s : r.getSilencesList()) {
            rows.add(List.of(s.getId(), s.getState(), s.getMatchers(), time(s.getEndsAtMs()), s.getCreatedBy(),
                s.getComment()));
          }
          Printer.table(out, List.of("ID", "STATE", "MATCHERS", "ENDS", "BY", "COMMENT"), rows);
        });
      }
    }

    @Command(name = "expire", description = "Ends a silence now (admin).")
    static final class Expire extends AlertsCommandBase {
      @Parameters(paramLabel = "ID")
      String id;

      @Override
      protected void run(AlertsClient alerts) {
        ExpireSilenceResponse r = alerts.call(s -> s.expireSilence(ExpireSilenceRequest.newBuilder().setId(id)
            .build()));
        print(r, out -> out.println("silence " + r.getSilence().getId() + " expired"));
      }
    }
  }
}
