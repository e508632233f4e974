package io.feitian.shennong.monitor.rules;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A threshold rule's condition: an operator and a number, as {@code "> 0.9"}. */
public record Comparison(Operator operator, double threshold) {
  /** The comparison operators; {@code ==} and {@code !=} compare exactly. */
  public enum Operator {
    GREATER(">"), GREATER_OR_EQUAL(">="), LESS("<"), LESS_OR_EQUAL("<="), EQUAL("=="), NOT_EQUAL("!=");

    private final String symbol;

    Operator(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }
  }

  private static final Pattern FORM = Pattern.compile("\\s*(>=|<=|==|!=|>|<)\\s*(\\S+)\\s*");

  public Comparison {
    if (!Double.isFinite(threshold)) {
      throw new IllegalArgumentException("threshold must be a finite number, got " + threshold);
    }
  }

  /** Parses {@code "> 0.9"}, {@code "<= 10"}, {@code "!= 0"}. */
  public static Comparison parse(String text) {
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("must be an operator (> >= < <= == !=) and a number, such as \"> 0.9\", got \""
          + text + "\"");
    }
    double threshold;
    try {
      threshold = Double.parseDouble(m.group(2));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must end with a number, got \"" + m.group(2) + "\"");
    }
    for (Operator op : Operator.values()) {
      if (op.symbol.equals(m.group(1))) {
        return new Comparison(op, threshold);
      }
    }
    throw new AssertionError(m.group(1));
  }

  /** Whether the value meets the condition; NaN never does. */
  public boolean holds(double value) {
    return switch (operator) {
      case GREATER -> value > threshold;
      case GREATER_OR_EQUAL -> value >= threshold;
      case LESS -> value < threshold;
      case LESS_OR_EQUAL -> value <= threshold;
      case EQUAL -> value == threshold;
      case NOT_EQUAL -> !Double.isNaN(value) && value != threshold;
    };
  }

  @Override
  public String toString() {
    return operator.symbol + " " + Template.formatValue(threshold);
  }
}
