package io.feitian.shennong.monitor.rules;

/**
 * A rule file that cannot be loaded: which file, which line (1-based; 0 when the file as a whole
 * is at fault) and why. The message reads {@code node.conf:12: rules[0].threshold.window must be
 * a duration such as ...}, the form editors and compilers use.
 */
public final class RuleError extends IllegalArgumentException {
  private final String file;
  private final int line;
  private final String reason;

  public RuleError(String file, int line, String reason) {
    super(file + (line > 0 ? ":" + line : "") + ": " + reason);
    this.file = file;
    this.line = line;
    this.reason = reason;
  }

  public String file() {
    return file;
  }

  public int line() {
    return line;
  }

  public String reason() {
    return reason;
  }
}
