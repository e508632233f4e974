package io.feitian.client.cli.dayu;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@code KEY=VALUE} argument: a parameter's value, a module's version, a role's budget. */
record KeyValue(String key, String value) {
  /** {@code form} names what was expected in the usage error (exit code 2), e.g. "MODULE=VERSION". */
  static KeyValue parse(String text, String form) {
    int eq = text.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("'" + text + "' is not " + form);
    }
    return new KeyValue(text.substring(0, eq), text.substring(eq + 1));
  }

  /** Several, in order; a key given twice is a usage error. */
  static Map<String, String> map(List<String> texts, String form) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String text : texts) {
      KeyValue kv = parse(text, form);
      if (out.put(kv.key(), kv.value()) != null) {
        throw new IllegalArgumentException(kv.key() + " is given twice");
      }
    }
    return out;
  }
}
