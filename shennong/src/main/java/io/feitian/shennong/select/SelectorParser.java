package io.feitian.shennong.select;

import io.feitian.common.grpc.Echo;
import io.feitian.proto.shennong.v1.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.PatternSyntaxException;

/**
 * A recursive-descent parser of the grammar in package-info, shared by series and event
 * selectors. Every error carries the position where the parser stood, so a user can find the
 * problem in a long selector.
 */
final class SelectorParser {
  /** The label that names an event's severity in event selectors. */
  static final String SEVERITY = "severity";

  record Parsed(List<NamePattern> names, List<LabelMatcher> matchers, Severity minSeverity) {}

  private final String text;
  private final boolean events;
  private int pos;

  private SelectorParser(String text, boolean events) {
    this.text = text;
    this.events = events;
  }

  static Parsed parse(String text, boolean events) {
    if (text == null) {
      throw new IllegalArgumentException("selector: is required at 0");
    }
    if (text.length() > Selector.MAX_CHARS) {
      throw new IllegalArgumentException("selector: is " + text.length() + " characters; at most "
          + Selector.MAX_CHARS + " are allowed at " + Selector.MAX_CHARS);
    }
    return new SelectorParser(text, events).selector();
  }

  private Parsed selector() {
    skipSpace();
    if (atEnd()) {
      throw error("is empty", pos);
    }
    List<NamePattern> names = new ArrayList<>();
    if (peek() != '{') {
      names.add(pattern());
      skipSpace();
      while (!atEnd() && peek() == '|') {
        pos++;
        skipSpace();
        if (names.size() == Selector.MAX_NAMES) {
          throw error("has more than " + Selector.MAX_NAMES + " names", pos);
        }
        names.add(pattern());
        skipSpace();
      }
    }
    List<LabelMatcher> matchers = new ArrayList<>();
    Severity min = null;
    if (!atEnd() && peek() == '{') {
      int open = pos++;
      skipSpace();
      while (atEnd() || peek() != '}') {
        if (atEnd()) {
          throw error("'{' at " + open + " is not closed", pos);
        }
        if (matchers.size() + (min == null ? 0 : 1) == Selector.MAX_MATCHERS) {
          throw error("has more than " + Selector.MAX_MATCHERS + " label matchers", pos);
        }
        int at = pos;
        String label = labelName();
        skipSpace();
        if (events && label.equals(SEVERITY) && text.startsWith(">=", pos)) {
          pos += 2;
          skipSpace();
          if (min != null) {
            throw error("repeats severity>=", at);
          }
          min = severity();
        } else {
          matchers.add(matcher(label));
        }
        skipSpace();
        if (!atEnd() && peek() == ',') {
          pos++;
          skipSpace();
        } else if (!atEnd() && peek() != '}') {
          throw error("expected ',' or '}' but found " + found(), pos);
        }
      }
      pos++;
      skipSpace();
    }
    if (!atEnd()) {
      throw error("unexpected " + found(), pos);
    }
    if (names.isEmpty() && matchers.isEmpty() && min == null) {
      throw error("selects everything: name a series (or *) or add a matcher", 0);
    }
    return new Parsed(List.copyOf(names), List.copyOf(matchers), min);
  }

  private NamePattern pattern() {
    int start = pos;
    while (!atEnd() && (Names.isNameChar(peek()) || peek() == '*')) {
      pos++;
    }
    if (pos == start) {
      throw error("expected a name but found " + found(), pos);
    }
    if (peek(start) != '*' && !Names.isNameStart(peek(start))) {
      throw error("a name must start with a letter, '_' or '*'", start);
    }
    if (pos - start > Names.MAX_NAME_CHARS) {
      throw error("a name is longer than " + Names.MAX_NAME_CHARS + " characters", start);
    }
    return new NamePattern(text.substring(start, pos));
  }

  private String labelName() {
    int start = pos;
    if (!atEnd() && Names.isLabelStart(peek())) {
      pos++;
      while (!atEnd() && Names.isLabelChar(peek())) {
        pos++;
      }
    }
    if (pos == start) {
      throw error("expected a label name but found " + found(), pos);
    }
    return text.substring(start, pos);
  }

  private LabelMatcher matcher(String label) {
    LabelMatcher.Op op;
    if (text.startsWith("=~", pos)) {
      op = LabelMatcher.Op.MATCHES;
    } else if (text.startsWith("!~", pos)) {
      op = LabelMatcher.Op.NOT_MATCHES;
    } else if (text.startsWith("!=", pos)) {
      op = LabelMatcher.Op.NOT_EQUAL;
    } else if (text.startsWith("=", pos)) {
      op = LabelMatcher.Op.EQUAL;
    } else if (text.startsWith(">=", pos)) {
      throw error(events ? "'>=' compares only severity" : "'>=' is only for severity, in event selectors", pos);
    } else {
      throw error("expected one of = != =~ !~ after " + label + " but found " + found(), pos);
    }
    pos += op.symbol().length();
    skipSpace();
    int valueAt = pos;
    String value = string();
    try {
      return LabelMatcher.of(label, op, value);
    } catch (PatternSyntaxException e) {
      throw error("bad regular expression for " + label + " (" + e.getDescription() + ")", valueAt);
    }
  }

  private Severity severity() {
    int at = pos;
    String name = string();
    for (Severity s : Severity.values()) {
      if (s != Severity.SEVERITY_UNSPECIFIED && s != Severity.UNRECOGNIZED && severityName(s).equals(name.toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    throw error("unknown severity " + Echo.quote(name) + " (debug, info, warning, error, critical)", at);
  }

  /** The lower-case name of a severity, as selectors spell it: "warning" for SEVERITY_WARNING. */
  static String severityName(Severity s) {
    return s.name().substring("SEVERITY_".length()).toLowerCase(Locale.ROOT);
  }

  private String string() {
    int start = pos;
    if (atEnd() || peek() != '"' && peek() != '\'') {
      throw error("expected a quoted value but found " + found(), pos);
    }
    char quote = text.charAt(pos++);
    StringBuilder value = new StringBuilder();
    while (true) {
      if (atEnd()) {
        throw error("unterminated string", start);
      }
      char c = text.charAt(pos++);
      if (c == quote) {
        return value.toString();
      }
      if (c != '\\') {
        value.append(c);
        continue;
      }
      if (atEnd()) {
        throw error("unterminated string", start);
      }
      char e = text.charAt(pos++);
      switch (e) {
        case '\\', '"', '\'' -> value.append(e);
        case 'n' -> value.append('\n');
        case 't' -> value.append('\t');
        case 'r' -> value.append('\r');
        default -> throw error("unknown escape \\" + e, pos - 2);
      }
    }
  }

  private void skipSpace() {
    while (!atEnd() && Character.isWhitespace(peek())) {
      pos++;
    }
  }

  private boolean atEnd() {
    return pos >= text.length();
  }

  private char peek() {
    return text.charAt(pos);
  }

  private char peek(int at) {
    return text.charAt(at);
  }

  private String found() {
    return atEnd() ? "the end" : "'" + peek() + "'";
  }

  private IllegalArgumentException error(String problem, int at) {
    return new IllegalArgumentException("selector: " + problem + " at " + at);
  }
}
