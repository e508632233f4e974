package io.feitian.shennong.monitor.rules;

import io.feitian.shennong.monitor.notify.InhibitRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every rule and inhibition of a rule directory, loaded together: a set is whole or not made, so
 * an invalid file leaves the previous set running. Rule names are unique across the files.
 */
public final class RuleSet {
  private final Map<String, Rule> rules;
  private final List<InhibitRule> inhibitions;

  private RuleSet(Map<String, Rule> rules, List<InhibitRule> inhibitions) {
    this.rules = rules;
    this.inhibitions = inhibitions;
  }

  /** The rules of the files in this order (the directory's files sorted by name). */
  public static RuleSet of(List<RuleFile> files) {
    Map<String, Rule> rules = new LinkedHashMap<>();
    List<InhibitRule> inhibitions = new ArrayList<>();
    for (RuleFile file : files) {
      for (Rule rule : file.rules()) {
        Rule earlier = rules.putIfAbsent(rule.name(), rule);
        if (earlier != null) {
          throw rule.origin().error("rule name " + rule.name() + " is already defined at " + earlier.origin());
        }
      }
      inhibitions.addAll(file.inhibitions());
    }
    return new RuleSet(rules, List.copyOf(inhibitions));
  }

  public static RuleSet empty() {
    return new RuleSet(Map.of(), List.of());
  }

  /** The rules in load order. */
  public List<Rule> rules() {
    return List.copyOf(rules.values());
  }

  /** The rule of this name, or null. */
  public Rule rule(String name) {
    return rules.get(name);
  }

  public List<InhibitRule> inhibitions() {
    return inhibitions;
  }

  /** The rules and inhibitions of one file. */
  public record RuleFile(String file, List<Rule> rules, List<InhibitRule> inhibitions) {
    public RuleFile {
      rules = List.copyOf(rules);
      inhibitions = List.copyOf(inhibitions);
    }
  }
}
