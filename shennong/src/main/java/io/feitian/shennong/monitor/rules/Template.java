package io.feitian.shennong.monitor.rules;

import io.feitian.shennong.select.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A label or annotation value with placeholders, parsed once when the rules are loaded so that a
 * bad one is a load error, never a surprise when the alert fires. The language is tiny:
 *
 * <pre>
 * text {{ $value }} text {{ $labels.node }} text
 * </pre>
 *
 * {@code $value} is the alert's value (the aggregate, the seconds a series has been absent, the
 * events in the window); {@code $labels.NAME} one of the alert's labels ("" if it has none).
 * Spaces inside the braces are optional. There is no escape for a literal {@code {{}.
 */
public final class Template {
  private sealed interface Part permits Text, Value, Label {
    void render(StringBuilder out, Map<String, String> labels, double value);
  }

  private record Text(String text) implements Part {
    @Override
    public void render(StringBuilder out, Map<String, String> labels, double value) {
      out.append(text);
    }
  }

  private record Value() implements Part {
    @Override
    public void render(StringBuilder out, Map<String, String> labels, double value) {
      out.append(formatValue(value));
    }
  }

  private record Label(String name) implements Part {
    @Override
    public void render(StringBuilder out, Map<String, String> labels, double value) {
      out.append(labels.getOrDefault(name, ""));
    }
  }

  private static final String LABELS = "$labels.";

  private final String source;
  private final List<Part> parts;

  private Template(String source, List<Part> parts) {
    this.source = source;
    this.parts = parts;
  }

  /** Parses a template; errors name the problem and the 0-based character position. */
  public static Template parse(String source) {
    List<Part> parts = new ArrayList<>();
    int at = 0;
    while (at < source.length()) {
      int open = source.indexOf("{{", at);
      if (open < 0) {
        parts.add(new Text(source.substring(at)));
        break;
      }
      if (open > at) {
        parts.add(new Text(source.substring(at, open)));
      }
      int close = source.indexOf("}}", open + 2);
      if (close < 0) {
        throw new IllegalArgumentException("unterminated {{ at " + open);
      }
      parts.add(placeholder(source.substring(open + 2, close).strip(), open));
      at = close + 2;
    }
    return new Template(source, List.copyOf(parts));
  }

  private static Part placeholder(String expression, int at) {
    if (expression.equals("$value")) {
      return new Value();
    }
    if (expression.startsWith(LABELS)) {
      String name = expression.substring(LABELS.length());
      String problem = Names.labelProblem(name);
      if (problem == null) {
        return new Label(name);
      }
      throw new IllegalArgumentException("label name in {{ at " + at + " " + problem);
    }
    throw new IllegalArgumentException("unknown expression {{ " + expression + " }} at " + at
        + "; use {{ $value }} or {{ $labels.NAME }}");
  }

  /** The template with the alert's labels and value in place. */
  public String render(Map<String, String> labels, double value) {
    StringBuilder out = new StringBuilder(source.length() + 16);
    for (Part part : parts) {
      part.render(out, labels, value);
    }
    return out.toString();
  }

  /** The label names the template reads, so the loader can refuse names the alert will never have. */
  public Set<String> labelsUsed() {
    Set<String> used = new TreeSet<>();
    for (Part part : parts) {
      if (part instanceof Label l) {
        used.add(l.name());
      }
    }
    return used;
  }

  /** Whether the template is plain text, the same whatever the alert. */
  public boolean isConstant() {
    return parts.stream().allMatch(p -> p instanceof Text);
  }

  /** Whole numbers without a fraction (a count of events reads "4", not "4.0"); others as Java prints them. */
  static String formatValue(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }

  public String source() {
    return source;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Template t && source.equals(t.source);
  }

  @Override
  public int hashCode() {
    return Objects.hash(source);
  }

  @Override
  public String toString() {
    return source;
  }
}
