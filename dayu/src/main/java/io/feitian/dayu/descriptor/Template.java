package io.feitian.dayu.descriptor;

import java.util.Map;

/** A configuration file the {@code configure} step writes: its path under the module's directory, and its text with placeholders. */
public record Template(String path, String text) {
  public String render(Map<String, String> values) {
    return Placeholders.render(text, values);
  }
}
