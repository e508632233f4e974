package io.feitian.shennong.select;

import io.feitian.common.grpc.Echo;

/**
 * What a series or event name and a label name may be. The rules live next to the selector
 * grammar because every stored name must be spellable in a selector: a name never holds the
 * grammar's punctuation ({@code * | { } , = ! ~ "}).
 */
public final class Names {
  public static final int MAX_NAME_CHARS = 256;
  public static final int MAX_LABEL_NAME_CHARS = 128;
  public static final int MAX_LABEL_VALUE_CHARS = 1024;
  public static final int MAX_LABELS = 32;
  public static final String NAME_RULE = "[A-Za-z_][A-Za-z0-9_.:-]*";
  public static final String LABEL_RULE = "[A-Za-z_][A-Za-z0-9_]*";

  private Names() {}

  static boolean isNameStart(char c) {
    return isLabelStart(c);
  }

  static boolean isNameChar(char c) {
    return isLabelChar(c) || c == '.' || c == ':' || c == '-';
  }

  static boolean isLabelStart(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
  }

  static boolean isLabelChar(char c) {
    return isLabelStart(c) || c >= '0' && c <= '9';
  }

  /** Null when {@code name} is a valid series or event name, else what is wrong with it. */
  public static String nameProblem(String name) {
    return problem(name, MAX_NAME_CHARS, NAME_RULE, true);
  }

  /** Null when {@code label} is a valid label name, else what is wrong with it. */
  public static String labelProblem(String label) {
    return problem(label, MAX_LABEL_NAME_CHARS, LABEL_RULE, false);
  }

  private static String problem(String s, int maxChars, String rule, boolean seriesName) {
    if (s.isEmpty()) {
      return "is required";
    }
    if (s.length() > maxChars) {
      return "is " + s.length() + " characters; at most " + maxChars + " are allowed";
    }
    boolean ok = isLabelStart(s.charAt(0));
    for (int i = 1; ok && i < s.length(); i++) {
      ok = seriesName ? isNameChar(s.charAt(i)) : isLabelChar(s.charAt(i));
    }
    return ok ? null : "must match " + rule + ", got " + Echo.quote(s);
  }
}
