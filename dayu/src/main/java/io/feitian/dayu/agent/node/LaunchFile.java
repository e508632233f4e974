package io.feitian.dayu.agent.node;

import io.feitian.dayu.agent.node.ProcessControl.Launch;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * {@code process.launch}: what the supervisor started for a module, so that it can start it again
 * without the descriptor and the parameters (they are the server's, and the agent may be starting
 * with no server to ask). A properties file, whose escapes carry any character of an argument:
 *
 * <pre>
 *   version=1.0.0
 *   home=/var/lib/feitian/dayu-agent/modules/web/1.0.0
 *   command.0=/var/lib/feitian/dayu-agent/modules/web/1.0.0/bin/serve
 *   command.1=8080
 *   env.GREETING=hello
 * </pre>
 */
final class LaunchFile {
  private LaunchFile() {}

  static String encode(Launch launch) {
    StringBuilder text = new StringBuilder("# dayu-agent: what runs for module " + launch.module() + "\n");
    Map<String, String> fields = new TreeMap<>();
    fields.put("version", launch.version());
    fields.put("home", launch.home().toString());
    for (int i = 0; i < launch.command().size(); i++) {
      fields.put("command." + i, launch.command().get(i));
    }
    launch.environment().forEach((k, v) -> fields.put("env." + k, v));
    // Properties.store would add a date line: the file would change on every start with the same launch.
    fields.forEach((k, v) -> text.append(escape(k, true)).append('=').append(escape(v, false)).append('\n'));
    return text.toString();
  }

  static Launch decode(String module, String text) throws IOException {
    Properties p = new Properties();
    p.load(new StringReader(text));
    String version = p.getProperty("version");
    String home = p.getProperty("home");
    if (version == null || home == null || p.getProperty("command.0") == null) {
      throw new IOException("the launch of " + module + " lacks its version, home or command: " + p.stringPropertyNames());
    }
    List<String> command = new ArrayList<>();
    for (int i = 0; p.getProperty("command." + i) != null; i++) {
      command.add(p.getProperty("command." + i));
    }
    Map<String, String> env = new TreeMap<>();
    for (String name : p.stringPropertyNames()) {
      if (name.startsWith("env.")) {
        env.put(name.substring(4), p.getProperty(name));
      }
    }
    return new Launch(module, version, Path.of(home), command, env, Optional.empty());
  }

  /** The escapes Properties.load undoes: backslash, line ends, a key's separators, a value's leading space. */
  private static String escape(String s, boolean key) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\f' -> out.append("\\f");
        case '=', ':', '#', '!' -> out.append('\\').append(c);
        case ' ' -> out.append(key || i == 0 ? "\\ " : " ");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
