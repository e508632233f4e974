package io.feitian.shennong.monitor.rules;

/** Where something was defined: a rule file and a 1-based line. */
public record Origin(String file, int line) {
  public RuleError error(String reason) {
    return new RuleError(file, line, reason);
  }

  @Override
  public String toString() {
    return file + ":" + line;
  }
}
