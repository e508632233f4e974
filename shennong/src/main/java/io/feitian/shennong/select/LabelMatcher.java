package io.feitian.shennong.select;

import java.util.regex.Pattern;

/** One {@code label op "value"} of a selector. */
public record LabelMatcher(String label, Op op, String value, Pattern regex) {
  /** How a label's value is compared. */
  public enum Op {
    EQUAL("="),
    NOT_EQUAL("!="),
    MATCHES("=~"),
    NOT_MATCHES("!~");

    private final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }
  }

  static LabelMatcher of(String label, Op op, String value) {
    boolean regular = op == Op.MATCHES || op == Op.NOT_MATCHES;
    return new LabelMatcher(label, op, value, regular ? Pattern.compile(value) : null);
  }

  public boolean matches(LabelValues labels) {
    String actual = labels.valueOf(label);
    return switch (op) {
      case EQUAL -> actual.equals(value);
      case NOT_EQUAL -> !actual.equals(value);
      case MATCHES -> regex.matcher(actual).matches();
      case NOT_MATCHES -> !regex.matcher(actual).matches();
    };
  }

  @Override
  public String toString() {
    return label + op.symbol + quote(value);
  }

  /** The value as the grammar spells it, so that printing a selector and parsing it again gives the same selector. */
  static String quote(String value) {
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\r' -> out.append("\\r");
        default -> out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
