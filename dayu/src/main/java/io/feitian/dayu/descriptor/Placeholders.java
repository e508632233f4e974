package io.feitian.dayu.descriptor;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code {{name}}} in templates, commands, environment values and health-check addresses: a
 * parameter of the module, or one of {@link #BUILT_IN}, which the agent fills in for its node.
 * {@code {{}}} was chosen over HOCON's {@code ${}} so that a template's text is never mistaken for
 * a substitution in the descriptor itself.
 */
public final class Placeholders {
  /** Filled in by the agent: the node's id, host and rack, the module's name and version, and the directory it is installed in. */
  public static final Set<String> BUILT_IN = Set.of(
      "node.id", "node.host", "node.rack", "module.name", "module.version", "module.home");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9._-]+)\\s*}}");

  private Placeholders() {}

  /** The names used in {@code text}, in order of first use. */
  public static Set<String> names(String text) {
    Set<String> names = new LinkedHashSet<>();
    Matcher m = PLACEHOLDER.matcher(text);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** {@code text} with every placeholder replaced; IllegalArgumentException naming one that has no value. */
  public static String render(String text, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException("{{" + m.group(1) + "}} has no value");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
