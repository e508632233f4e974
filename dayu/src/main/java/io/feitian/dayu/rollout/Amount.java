package io.feitian.dayu.rollout;

/** A number of nodes, or a percentage of a set of nodes ("3", "25%"). */
public record Amount(int value, boolean percent) {
  public Amount {
    if (value < 1 || (percent && value > 100)) {
      throw new IllegalArgumentException("must be at least 1" + (percent ? " and at most 100%" : "") + ", got " + value);
    }
  }

  public static Amount parse(String text) {
    String t = text.trim();
    boolean percent = t.endsWith("%");
    try {
      return new Amount(Integer.parseInt(percent ? t.substring(0, t.length() - 1).trim() : t), percent);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must be a count or a percentage such as 25%, got \"" + text + "\"");
    }
  }

  /** Of {@code total} nodes, at least 1; a percentage rounds up when {@code roundUp}, down otherwise. */
  public int of(int total, boolean roundUp) {
    if (!percent) {
      return value;
    }
    int n = roundUp ? (total * value + 99) / 100 : total * value / 100;
    return Math.max(1, n);
  }

  @Override
  public String toString() {
    return value + (percent ? "%" : "");
  }
}
