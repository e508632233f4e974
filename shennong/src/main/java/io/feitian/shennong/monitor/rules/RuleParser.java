package io.feitian.shennong.monitor.rules;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import io.feitian.proto.shennong.v1.Operation;
import io.feitian.shennong.monitor.notify.InhibitRule;
import io.feitian.shennong.monitor.notify.Matchers;
import io.feitian.shennong.ops.WindowQuery;
import io.feitian.shennong.select.EventSelector;
import io.feitian.shennong.select.LabelMatcher;
import io.feitian.shennong.select.Names;
import io.feitian.shennong.select.Selector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one rule file (HOCON, the daemons' configuration language). The format is in
 * docs/SHENNONG.md, "Monitor rules". Every problem is a {@link RuleError} naming the file, the line
 * and the field; the parser checks everything a rule will need when it runs: selectors, the
 * aggregation function, durations, the subscription's limits, templates and the labels they read.
 */
public final class RuleParser {
  /** The step of a rule's subscription when the file gives none (capped by the window). */
  public static final long DEFAULT_STEP_MS = 10_000;
  /** Events counted per group of an event rule: {@code more_than} stays below it. */
  public static final int MAX_EVENTS_PER_GROUP = 10_000;

  private static final Set<String> ROOT = Set.of("rules", "inhibit");
  private static final Set<String> RULE = Set.of("name", "threshold", "absent", "events", "for", "keep_firing_for",
      "labels", "annotations");
  private static final List<String> KINDS = List.of("threshold", "absent", "events");
  private static final Set<String> THRESHOLD = Set.of("select", "aggregate", "by", "window", "step", "condition");
  private static final Set<String> ABSENT = Set.of("select", "by", "after", "step");
  private static final Set<String> EVENTS = Set.of("select", "by", "more_than", "within");
  private static final Set<String> INHIBIT = Set.of("source", "target", "equal");
  private static final Pattern QUANTILE = Pattern.compile("quantile\\(\\s*([0-9.eE+-]+)\\s*\\)");
  private static final Map<String, Operation> AGGREGATES = Map.of("sum", Operation.OPERATION_SUM,
      "avg", Operation.OPERATION_AVG, "min", Operation.OPERATION_MIN, "max", Operation.OPERATION_MAX,
      "count", Operation.OPERATION_COUNT, "rate", Operation.OPERATION_RATE);

  private RuleParser() {}

  /** Parses the text of one file; {@code file} is how errors name it. */
  public static RuleSet.RuleFile parse(String file, String text) {
    Config config;
    try {
      config = ConfigFactory.parseString(text,
          ConfigParseOptions.defaults().setOriginDescription(file).setSyntax(ConfigSyntax.CONF)).resolve();
    } catch (ConfigException e) {
      int line = e.origin() == null ? 0 : e.origin().lineNumber();
      throw new RuleError(file, line, withoutOrigin(e.getMessage()));
    }
    Fields root = new Fields(file, "", config.root());
    root.allowOnly(ROOT);
    List<Rule> rules = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Fields rule : root.objects("rules")) {
      Rule parsed = rule(rule);
      if (!names.add(parsed.name())) {
        throw rule.bad("name", "repeats rule name " + parsed.name() + " of this file");
      }
      rules.add(parsed);
    }
    List<InhibitRule> inhibitions = new ArrayList<>();
    for (Fields inhibit : root.objects("inhibit")) {
      inhibitions.add(inhibition(inhibit));
    }
    return new RuleSet.RuleFile(file, rules, inhibitions);
  }

  /** Typesafe Config starts its messages with the origin ("node.conf: 3: ..."); ours names it already. */
  private static String withoutOrigin(String message) {
    return message.replaceFirst("^[^:]*: \\d+: ", "");
  }

  private static Rule rule(Fields f) {
    f.allowOnly(RULE);
    String name = f.string("name");
    String problem = Names.nameProblem(name);
    if (problem != null) {
      throw f.bad("name", problem);
    }
    List<String> kinds = KINDS.stream().filter(f::has).toList();
    if (kinds.size() != 1) {
      throw f.origin().error(f.path() + " (rule " + name + ") must have exactly one of threshold, absent, events; has "
          + (kinds.isEmpty() ? "none" : String.join(" and ", kinds)));
    }
    Condition condition = switch (kinds.get(0)) {
      case "threshold" -> threshold(f.object("threshold"));
      case "absent" -> absence(f.object("absent"));
      default -> events(f.object("events"));
    };
    long forMs = f.durationMs("for", 0);
    long keepFiringForMs = f.durationMs("keep_firing_for", 0);
    Map<String, Template> labels = templates(f, "labels", labelsOfGroup(condition), condition.groupBy());
    Set<String> annotationLabels = new TreeSet<>(labelsOfGroup(condition));
    annotationLabels.addAll(labels.keySet());
    Map<String, Template> annotations = templates(f, "annotations", annotationLabels, List.of());
    return new Rule(name, f.origin("name"), condition, forMs, keepFiringForMs, new TreeMap<>(labels),
        new TreeMap<>(annotations));
  }

  private static Set<String> labelsOfGroup(Condition condition) {
    Set<String> known = new TreeSet<>(condition.groupBy());
    known.add(Rule.ALERTNAME);
    return known;
  }

  /**
   * Label or annotation templates. A template may read only labels the alert will have: a
   * {@code $labels.node} in a rule not grouped by node would always render "", a mistake worth a
   * load error.
   */
  private static Map<String, Template> templates(Fields rule, String key, Set<String> readable, List<String> reserved) {
    Map<String, Template> out = new LinkedHashMap<>();
    Map<String, String> texts = rule.stringMap(key);
    Fields inner = texts.isEmpty() ? null : rule.object(key);
    for (Map.Entry<String, String> e : texts.entrySet()) {
      String name = e.getKey();
      String problem = Names.labelProblem(name);
      if (problem != null) {
        throw inner.bad(name, "name " + problem);
      }
      if (key.equals("labels") && (name.equals(Rule.ALERTNAME) || reserved.contains(name))) {
        throw inner.bad(name, "would replace the alert's own label " + name + " (alertname and the by labels)");
      }
      Template template;
      try {
        template = Template.parse(e.getValue());
      } catch (IllegalArgumentException bad) {
        throw inner.bad(name, "template: " + bad.getMessage());
      }
      for (String used : template.labelsUsed()) {
        if (!readable.contains(used)) {
          throw inner.bad(name, "template reads $labels." + used + ", which this alert never has; it has "
              + readable);
        }
      }
      out.put(name, template);
    }
    return out;
  }

  private static Condition threshold(Fields f) {
    f.allowOnly(THRESHOLD);
    Selector selector = selector(f);
    String aggregate = f.string("aggregate");
    Operation operation = AGGREGATES.get(aggregate);
    List<Double> quantiles = List.of();
    Matcher q = QUANTILE.matcher(aggregate);
    if (q.matches()) {
      operation = Operation.OPERATION_QUANTILE;
      quantiles = List.of(quantile(f, q.group(1)));
    } else if (operation == null) {
      throw f.bad("aggregate", "is an unknown aggregation function \"" + aggregate
          + "\"; use sum, avg, min, max, count, rate or quantile(q)");
    }
    long windowMs = f.durationMs("window");
    long stepMs = f.durationMs("step", Math.min(DEFAULT_STEP_MS, windowMs));
    WindowQuery query = query(f, "window", selector, operation, windowMs, stepMs, quantiles);
    Comparison comparison;
    try {
      comparison = Comparison.parse(f.string("condition"));
    } catch (IllegalArgumentException e) {
      throw f.bad("condition", e.getMessage());
    }
    return new Condition.Threshold(query, comparison);
  }

  private static double quantile(Fields f, String text) {
    try {
      double q = Double.parseDouble(text);
      if (q >= 0 && q <= 1) {
        return q;
      }
    } catch (NumberFormatException e) {
      // Reported below with the rest of the bad values.
    }
    throw f.bad("aggregate", "quantile(q) needs q between 0 and 1, got " + text);
  }

  private static Condition absence(Fields f) {
    f.allowOnly(ABSENT);
    Selector selector = selector(f);
    long afterMs = f.durationMs("after");
    long stepMs = f.durationMs("step", Math.min(DEFAULT_STEP_MS, afterMs));
    if (afterMs < stepMs) {
      throw f.bad("after", "must be at least the step (" + Durations.format(stepMs)
          + "): absence is seen one step at a time");
    }
    // window = step: each step's COUNT says which groups reported in it, and nothing else.
    return new Condition.Absence(query(f, "step", selector, Operation.OPERATION_COUNT, stepMs, stepMs, List.of()), afterMs);
  }

  private static Condition events(Fields f) {
    f.allowOnly(EVENTS);
    EventSelector selector;
    try {
      selector = EventSelector.parse(f.string("select"));
    } catch (IllegalArgumentException e) {
      throw f.bad("select", e.getMessage());
    }
    List<String> by = groupBy(f);
    int moreThan = f.count("more_than", MAX_EVENTS_PER_GROUP - 1);
    long withinMs = f.durationMs("within");
    if (withinMs < 1_000 || withinMs > WindowQuery.MAX_WINDOW_MS * 24) {
      throw f.bad("within", "must be from 1s to 1d, got " + Durations.format(withinMs));
    }
    return new Condition.EventBurst(selector, by, moreThan, withinMs);
  }

  private static Selector selector(Fields f) {
    try {
      return Selector.parse(f.string("select"));
    } catch (IllegalArgumentException e) {
      throw f.bad("select", e.getMessage());
    }
  }

  private static List<String> groupBy(Fields f) {
    List<String> by = f.strings("by");
    try {
      // The same checks as a subscription's group_by: label names, distinct, at most 8.
      new WindowQuery(Selector.parse("*"), Operation.OPERATION_COUNT, by, WindowQuery.MIN_WINDOW_MS,
          WindowQuery.MIN_WINDOW_MS, List.of());
    } catch (IllegalArgumentException e) {
      throw f.bad("by", e.getMessage().replaceFirst("^group_by(\\[\\d+])? ", ""));
    }
    return by;
  }

  /**
   * The rule's subscription, checked as the master would check it; errors name the file's fields
   * ({@code windowField} for window_ms: the threshold's window, or the absence's step).
   */
  private static WindowQuery query(Fields f, String windowField, Selector selector, Operation operation,
      long windowMs, long stepMs, List<Double> quantiles) {
    List<String> by = groupBy(f);
    try {
      return new WindowQuery(selector, operation, by, windowMs, stepMs, quantiles);
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      String field = message.startsWith("step_ms") ? "step" : message.startsWith("quantiles") ? "aggregate" : windowField;
      throw f.bad(field, message.replaceFirst("^\\S+ ", "") + " (ms)");
    }
  }

  private static InhibitRule inhibition(Fields f) {
    f.allowOnly(INHIBIT);
    List<String> equal = f.strings("equal");
    for (String label : equal) {
      String problem = Names.labelProblem(label);
      if (problem != null) {
        throw f.bad("equal", "label " + problem);
      }
    }
    return new InhibitRule(matchers(f, "source"), matchers(f, "target"), equal);
  }

  private static List<LabelMatcher> matchers(Fields f, String key) {
    try {
      return Matchers.parse(f.string(key));
    } catch (IllegalArgumentException e) {
      throw f.bad(key, e.getMessage());
    }
  }
}
