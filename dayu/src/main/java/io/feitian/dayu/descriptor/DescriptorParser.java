package io.feitian.dayu.descriptor;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads a {@code dayu-module.conf} (HOCON) into a {@link ModuleDescriptor}, refusing anything
 * incomplete or unknown with a {@link DescriptorException} naming the file, line and field. The
 * caller reads the file; the parser only sees its text.
 */
public final class DescriptorParser {
  /** The file name every release package carries its descriptor under. */
  public static final String FILE_NAME = "dayu-module.conf";

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");
  private static final Pattern PARAM_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern CONDITION = Pattern.compile("\\s*(>=|<=|==|!=|>|<)\\s*(-?[0-9]+(?:\\.[0-9]+)?)\\s*");
  private static final Set<String> TOP = Set.of("name", "version", "roles", "dependencies", "parameters", "deploy",
      "upgrade", "remove", "templates", "health-check", "run");

  private DescriptorParser() {}

  public static ModuleDescriptor parse(String text, String file) {
    Config config;
    try {
      config = ConfigFactory.parseString(text, ConfigParseOptions.defaults()
          .setSyntax(ConfigSyntax.CONF).setOriginDescription(file)).resolve();
    } catch (ConfigException e) {
      int line = e.origin() == null ? 0 : e.origin().lineNumber();
      throw new DescriptorException(file, line, "(syntax)", e.getMessage());
    }
    return new Reading(new Fields(file, "", config.root())).descriptor();
  }

  /** One parse: the descriptor's own parameters are needed to check every placeholder. */
  private static final class Reading {
    private final Fields top;
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();

    Reading(Fields top) {
      this.top = top;
    }

    ModuleDescriptor descriptor() {
      top.onlyKnown(TOP);
      String name = name(top, "name");
      Version version = top.checked(top.value("version"), "version", () -> Version.parse(top.string("version")));
      Set<String> roles = roles();
      List<Dependency> dependencies = dependencies(name);
      if (top.has("parameters")) {
        readParameters(top.object("parameters"));
      }
      List<Step> deploy = steps("deploy", List.of());
      List<Step> upgrade = steps("upgrade", List.of());
      // Removing a module (scale-in, undoing a deploy) stops it unless the descriptor says more (e.g. drain first).
      List<Step> remove = steps("remove", List.of(StepKind.STOP.with(Map.of())));
      return new ModuleDescriptor(name, version, roles, dependencies, parameters, deploy, upgrade, remove,
          templates(), healthCheck(top.object("health-check")), run(top.object("run")));
    }

    private String name(Fields f, String key) {
      String name = f.string(key);
      if (!NAME.matcher(name).matches()) {
        throw f.bad(key, "must be lower-case letters, digits and '-', starting with a letter, got \"" + name + "\"");
      }
      return name;
    }

    private Set<String> roles() {
      List<String> roles = top.strings("roles");
      if (roles.isEmpty()) {
        throw top.bad("roles", "must name at least one role whose nodes run the module");
      }
      ConfigList list = top.list("roles");
      for (int i = 0; i < roles.size(); i++) {
        if (!NAME.matcher(roles.get(i)).matches()) {
          throw top.badAt(list.get(i), "roles[" + i + "]", "must be lower-case letters, digits and '-', got \""
              + roles.get(i) + "\"");
        }
      }
      return new LinkedHashSet<>(roles);
    }

    private List<Dependency> dependencies(String self) {
      if (!top.has("dependencies")) {
        return List.of();
      }
      ConfigList list = top.list("dependencies");
      List<Dependency> out = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < list.size(); i++) {
        String field = "dependencies[" + i + "]";
        ConfigValue v = list.get(i);
        Dependency d = top.checked(v, field, () -> Dependency.parse(top.scalar(v, field)));
        if (d.module().equals(self)) {
          throw top.badAt(v, field, "names the module itself");
        }
        if (!seen.add(d.module())) {
          throw top.badAt(v, field, "names " + d.module() + " a second time (put every bound in one range)");
        }
        out.add(d);
      }
      return out;
    }

    private void readParameters(Fields params) {
      for (Map.Entry<String, ConfigValue> e : params.entries().entrySet()) {
        String pname = e.getKey();
        if (!PARAM_NAME.matcher(pname).matches() || Placeholders.BUILT_IN.contains(pname)) {
          throw params.bad(pname, "is not a usable parameter name (lower-case letters, digits, '-' and '_')");
        }
        Fields p = params.object(e.getValue(), params.field(pname));
        p.onlyKnown(Set.of("type", "default", "description"));
        ParamType type = p.checked(p.value("type"), p.field("type"), () -> ParamType.fromWord(p.string("type")));
        Optional<String> dflt = p.has("default")
            ? Optional.of(p.checked(p.value("default"), p.field("default"), () -> type.normalize(p.string("default"))))
            : Optional.empty();
        parameters.put(pname, new Parameter(pname, type, dflt, p.string("description", "")));
      }
    }

    private List<Step> steps(String key, List<Step> absent) {
      if (!top.has(key)) {
        if (absent.isEmpty()) {
          top.value(key); // throws "is missing"
        }
        return absent;
      }
      ConfigList list = top.list(key);
      if (list.isEmpty()) {
        throw top.bad(key, "must list at least one step");
      }
      List<Step> out = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        out.add(step(list.get(i), key + "[" + i + "]"));
      }
      return out;
    }

    /** A step is its name ("fetch") or an object naming it with parameters ({ step = stop, grace = 1m }). */
    private Step step(ConfigValue v, String field) {
      if (!(v instanceof ConfigObject)) {
        StepKind kind = top.checked(v, field, () -> StepKind.fromWord(top.scalar(v, field)));
        return kind.with(Map.of());
      }
      Fields s = top.object(v, field);
      StepKind kind = s.checked(s.value("step"), s.field("step"), () -> StepKind.fromWord(s.string("step")));
      Set<String> known = new HashSet<>(kind.defaults().keySet());
      known.add("step");
      s.onlyKnown(known);
      Map<String, String> given = new LinkedHashMap<>();
      for (String param : kind.defaults().keySet()) {
        if (s.has(param)) {
          given.put(param, s.checked(s.value(param), s.field(param), () -> StepKind.typeOf(param).normalize(s.string(param))));
        }
      }
      return kind.with(given);
    }

    private List<Template> templates() {
      if (!top.has("templates")) {
        return List.of();
      }
      ConfigList list = top.list("templates");
      List<Template> out = new ArrayList<>();
      Set<String> paths = new HashSet<>();
      for (int i = 0; i < list.size(); i++) {
        Fields t = top.object(list.get(i), "templates[" + i + "]");
        t.onlyKnown(Set.of("path", "text"));
        String path = t.string("path");
        if (path.isEmpty() || path.startsWith("/") || List.of(path.split("/")).contains("..")) {
          throw t.bad("path", "must be a relative path inside the module's directory, got \"" + path + "\"");
        }
        if (!paths.add(path)) {
          throw t.bad("path", "names " + path + " a second time");
        }
        out.add(new Template(path, placeholders(t, "text", t.string("text"))));
      }
      return out;
    }

    private HealthCheck healthCheck(Fields h) {
      String type = h.string("type");
      switch (type) {
        case "command" -> {
          h.onlyKnown(Set.of("type", "command"));
          return new HealthCheck.Command(command(h));
        }
        case "grpc" -> {
          h.onlyKnown(Set.of("type", "address", "service"));
          String address = placeholders(h, "address", h.string("address"));
          h.checked(h.value("address"), h.field("address"), () -> ParamType.HOST_PORT.normalize(address));
          return new HealthCheck.Grpc(address, h.string("service", ""));
        }
        case "http" -> {
          h.onlyKnown(Set.of("type", "url", "expect-status"));
          String url = placeholders(h, "url", h.string("url"));
          if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw h.bad("url", "must start with http:// or https://, got \"" + url + "\"");
          }
          int status = Integer.parseInt(h.checked(h.at("expect-status"), h.field("expect-status"),
              () -> ParamType.INT.normalize(h.string("expect-status", "200"))));
          return new HealthCheck.Http(url, status);
        }
        case "shennong" -> {
          h.onlyKnown(Set.of("type", "series", "condition", "window"));
          var m = CONDITION.matcher(h.string("condition"));
          if (!m.matches()) {
            throw h.bad("condition", "must be an operator (> >= < <= == !=) and a number, e.g. \"> 0\", got \""
                + h.string("condition") + "\"");
          }
          long window = h.checked(h.at("window"), h.field("window"),
              () -> ParamType.parseMillis(h.string("window", "30s")));
          return new HealthCheck.ShennongSeries(h.string("series"), m.group(1), Double.parseDouble(m.group(2)), window);
        }
        default -> throw h.bad("type", "must be command, grpc, http or shennong, got \"" + type + "\"");
      }
    }

    private RunSpec run(Fields r) {
      r.onlyKnown(Set.of("command", "environment", "systemd-unit"));
      Map<String, String> env = new LinkedHashMap<>();
      if (r.has("environment")) {
        Fields e = r.object("environment");
        for (Map.Entry<String, ConfigValue> kv : e.entries().entrySet()) {
          if (!ENV_NAME.matcher(kv.getKey()).matches()) {
            throw e.bad(kv.getKey(), "is not an environment variable name");
          }
          env.put(kv.getKey(), placeholders(e, kv.getKey(), e.scalar(kv.getValue(), e.field(kv.getKey()))));
        }
      }
      Optional<String> unit = r.optString("systemd-unit");
      if (unit.isPresent() && !unit.get().matches("[A-Za-z0-9@_.-]+\\.service")) {
        throw r.bad("systemd-unit", "must be a unit name ending in .service, got \"" + unit.get() + "\"");
      }
      return new RunSpec(command(r), env, unit);
    }

    private List<String> command(Fields f) {
      List<String> command = f.strings("command");
      if (command.isEmpty()) {
        throw f.bad("command", "must hold at least the program to run");
      }
      command.forEach(arg -> placeholders(f, "command", arg));
      return command;
    }

    /** {@code text} after checking that each placeholder in it is a declared parameter or a built-in. */
    private String placeholders(Fields f, String key, String text) {
      for (String name : Placeholders.names(text)) {
        if (!parameters.containsKey(name) && !Placeholders.BUILT_IN.contains(name)) {
          throw f.bad(key, "uses {{" + name + "}}, which is neither a parameter of the module nor one of "
              + String.join(", ", new TreeSet<>(Placeholders.BUILT_IN)));
        }
      }
      return text;
    }
  }
}
