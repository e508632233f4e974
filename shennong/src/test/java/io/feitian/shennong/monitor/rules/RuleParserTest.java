package io.feitian.shennong.monitor.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.proto.shennong.v1.Kind;
import io.feitian.proto.shennong.v1.Operation;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.feitian.shennong.wire.QueryProtos;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class RuleParserTest {
  private static final String CPU = """
      rules = [
        {
          name = NodeCpuHigh
          threshold {
            select = "system.cpu.usage{role!=\\"x\\"}"
            aggregate = avg
            by = [node]
            window = 1m
            condition = "> 0.9"
          }
          for = 2m
          keep_firing_for = 1m30s
          labels { severity = warning, team = "ops-{{ $labels.node }}" }
          annotations { summary = "{{ $labels.node }} at {{ $value }} ({{ $labels.team }})" }
        }
      ]
      """;

  @Test
  void aThresholdRuleBecomesOneMetricsSubscription() {
    Rule rule = RuleParser.parse("cpu.conf", CPU).rules().get(0);

    assertThat(rule.name()).isEqualTo("NodeCpuHigh");
    assertThat(rule.origin()).isEqualTo(new Origin("cpu.conf", 3));
    assertThat(rule.forMs()).isEqualTo(120_000);
    assertThat(rule.keepFiringForMs()).isEqualTo(90_000);
    SubscribeRequest s = rule.subscription();
    assertThat(s.getSelector()).isEqualTo("system.cpu.usage{role!=\"x\"}");
    assertThat(s.getOperation()).isEqualTo(Operation.OPERATION_AVG);
    assertThat(s.getGroupByList()).containsExactly("node");
    assertThat(s.getWindowMs()).isEqualTo(60_000);
    assertThat(s.getStepMs()).isEqualTo(10_000);
    // The master accepts it as it is.
    assertThat(QueryProtos.metrics(s).windowMs()).isEqualTo(60_000);
    assertThat(((Condition.Threshold) rule.condition()).comparison()).hasToString("> 0.9");

    Map<String, String> labels = rule.alertLabels(Map.of("node", "n1"), 0.95);
    assertThat(labels).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of("alertname", "NodeCpuHigh",
        "node", "n1", "severity", "warning", "team", "ops-n1")));
    assertThat(rule.alertAnnotations(labels, 0.95)).containsEntry("summary", "n1 at 0.95 (ops-n1)");
  }

  @Test
  void quantileAbsenceAndEventRulesHaveTheirSubscriptions() {
    RuleSet.RuleFile file = RuleParser.parse("r.conf", """
        rules = [
          { name = P99, threshold { select = "lat", aggregate = "quantile(0.99)", window = 5s, step = 1s,
                                    condition = "<= 3" } }
          { name = Silent, absent { select = "system.cpu.usage", by = [node], after = 1m } }
          { name = Failing, events { select = "job.instance.failed{severity>=\\"warning\\"}", by = [job],
                                     more_than = 3, within = 5m } }
        ]
        """);
    SubscribeRequest p99 = file.rules().get(0).subscription();
    assertThat(p99.getOperation()).isEqualTo(Operation.OPERATION_QUANTILE);
    assertThat(p99.getQuantilesList()).containsExactly(0.99);
    assertThat(p99.getStepMs()).isEqualTo(1_000);

    SubscribeRequest silent = file.rules().get(1).subscription();
    assertThat(silent.getOperation()).isEqualTo(Operation.OPERATION_COUNT);
    assertThat(silent.getWindowMs()).isEqualTo(10_000);
    assertThat(silent.getStepMs()).isEqualTo(10_000);
    assertThat(((Condition.Absence) file.rules().get(1).condition()).afterMs()).isEqualTo(60_000);

    SubscribeRequest failing = file.rules().get(2).subscription();
    assertThat(failing.getKind()).isEqualTo(Kind.KIND_EVENTS);
    assertThat(failing.getOperation()).isEqualTo(Operation.OPERATION_RAW);
    assertThat(QueryProtos.events(failing, 1).selector().toString())
        .isEqualTo("job.instance.failed{severity>=\"warning\"}");
  }

  @Test
  void inhibitionsAreRead() {
    RuleSet.RuleFile file = RuleParser.parse("i.conf", """
        inhibit = [ { source = "{alertname='NodeSilent'}", target = "{alertname=~'Process.*'}", equal = [node] } ]
        """);
    var rule = file.inhibitions().get(0);
    assertThat(rule.isSource(Map.of("alertname", "NodeSilent"))).isTrue();
    assertThat(rule.isTarget(Map.of("alertname", "ProcessDown"))).isTrue();
    assertThat(rule.equal()).containsExactly("node");
  }

  @Test
  void errorsNameTheFileTheLineAndTheReason() {
    assertError(() -> RuleParser.parse("a.conf", rule("threshold { select = x, aggregate = mean, window = 1m, condition = \"> 1\" }")),
        "a.conf", 3, "rules[0].threshold.aggregate is an unknown aggregation function \"mean\"");
    assertError(() -> RuleParser.parse("b.conf", rule("threshold { select = x, aggregate = avg, window = 1x, condition = \"> 1\" }")),
        "b.conf", 3, "rules[0].threshold.window must be a duration such as 500ms, 30s, 5m, 1h30m or 2d, got \"1x\"");
    assertError(() -> RuleParser.parse("c.conf", rule("absent { select = x, after = 1m }\n  for = 5")),
        "c.conf", 4, "rules[0].for must be a duration");
    assertError(() -> RuleParser.parse("d.conf", rule("absent { select = x, after = 1m }\n  annotations { s = \"{{ $value \" }")),
        "d.conf", 4, "rules[0].annotations.s template: unterminated {{ at 0");
    assertError(() -> RuleParser.parse("e.conf", rule("absent { select = x, after = 1m }\n  annotations { s = \"{{ $labels.node }}\" }")),
        "e.conf", 4, "template reads $labels.node, which this alert never has; it has [alertname]");
    assertError(() -> RuleParser.parse("f.conf", rule("absent { select = x, after = 1m }\n  annotations { s = \"{{ .Value }}\" }")),
        "f.conf", 4, "unknown expression {{ .Value }} at 0");
    assertError(() -> RuleParser.parse("g.conf", rule("absent { select = \"x{a=\", after = 1m }")),
        "g.conf", 3, "rules[0].absent.select selector:");
    assertError(() -> RuleParser.parse("h.conf", rule("absent { select = x, after = 1m }\n  keep_firing = 1m")),
        "h.conf", 4, "rules[0].keep_firing is not a known field");
    assertError(() -> RuleParser.parse("i.conf", rule("threshold { select = x, aggregate = avg, window = 2h, condition = \"> 1\" }")),
        "i.conf", 3, "rules[0].threshold.window must be");
    assertError(() -> RuleParser.parse("j.conf", rule("threshold { select = x, aggregate = avg, window = 1m, condition = \"above 1\" }")),
        "j.conf", 3, "rules[0].threshold.condition must be an operator");
    assertError(() -> RuleParser.parse("k.conf", "rules = [\n  { name = A, absent { select = x, after = 1m } }\n  { name = A, events { select = x, more_than = 1, within = 1m } }\n]"),
        "k.conf", 3, "repeats rule name A");
    assertError(() -> RuleParser.parse("l.conf", "rules = [\n  {\n    name = A\n  }\n]"),
        "l.conf", 2, "rules[0] (rule A) must have exactly one of threshold, absent, events; has none");
    assertError(() -> RuleParser.parse("m.conf", "rules = [\n  { name = A\n    absent { select = x after = 1m } }\n]"),
        "m.conf", 3, "");
    assertError(() -> RuleParser.parse("n.conf", rule("absent { select = x, by = [node], after = 1m }\n  labels { node = n2 }")),
        "n.conf", 4, "rules[0].labels.node would replace the alert's own label node");
    assertError(() -> RuleParser.parse("o.conf", "inhibit = [ { source = \"alertname='X'\", target = \"{a='b'}\" } ]"),
        "o.conf", 1, "inhibit[0].source matchers must be label matchers in braces");
  }

  @Test
  void aNameDefinedInTwoFilesIsRefusedNamingBoth() {
    RuleSet.RuleFile one = RuleParser.parse("one.conf", rule("absent { select = x, after = 1m }"));
    RuleSet.RuleFile two = RuleParser.parse("two.conf", "\n" + rule("absent { select = y, after = 1m }"));
    assertError(() -> RuleSet.of(List.of(one, two)), "two.conf", 4,
        "rule name A is already defined at one.conf:3");
  }

  private static String rule(String body) {
    return "rules = [\n  {\n  name = A, " + body + "\n  }\n]\n";
  }

  private static void assertError(ThrowingCallable call, String file, int line, String reason) {
    assertThatThrownBy(call).isInstanceOfSatisfying(RuleError.class, e -> {
      assertThat(e.file()).isEqualTo(file);
      assertThat(e.line()).as(e.getMessage()).isEqualTo(line);
      assertThat(e.reason()).contains(reason);
      assertThat(e.getMessage()).startsWith(file + ":" + line + ": ");
    });
  }
}
